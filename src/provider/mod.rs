//! The resource-type boundary: what every AWS resource type and data source implements, and
//! the registry that lists them.
//!
//! One type = one file under `src/aws/resources/` (or `src/aws/data/`) with one struct that
//! implements [`ResourceType`] (or [`DataSource`]), listed once in [`RESOURCE_TYPES`] /
//! [`DATA_SOURCES`]. The engine (plan, apply, refresh) only ever talks to this trait.
//! Values are `lang::Value` objects whose attributes follow the type's [`Schema`].

pub mod adopt;
pub mod builtin;
pub mod reference;
pub mod rollout;
pub mod schema;
pub mod values;

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::aws::error::ApiError;
use crate::aws::refresh_batch::RefreshBatch;
use crate::aws::resources;
use crate::aws::AwsClients;
use crate::diag::{Diagnostic, Sources};
use crate::lang::Value;
pub use adopt::{Adoption, Candidate, Owner};
use rollout::{RollOut, Rollout, RolloutContext, RolloutEvent, RolloutQuery};
pub use schema::{AttrKind, AttrSchema, AttrType, BlockSchema, Nesting, Schema};

/// What a call needs besides the object's own values.
pub struct CallContext<'a> {
    pub clients: &'a AwsClients,
    /// The instance's address, e.g. `module.vpc.aws_subnet.public[0]` (for messages and the
    /// `ecsform:address` tag).
    pub address: &'a str,
    /// Tags every created object carries besides its own: the provider's `default_tags`,
    /// `ecsform:address` and `ecsform:lineage`.
    pub extra_tags: &'a BTreeMap<String, String>,
}

/// An AWS resource type with full create/read/update/delete.
///
/// `state` values are objects with every schema attribute (null where unset); `id` is the
/// identifier AWS gave the object.
#[async_trait]
pub trait ResourceType: Send + Sync {
    /// `"aws_subnet"`: the type's own name. A type found by an alias (`aws_alb`, see
    /// [`Registered`]) answers its own name here, so what shows a type name to the user
    /// (state rows, messages) takes it from the address instead.
    fn type_name(&self) -> &'static str;

    /// What ecsform implements of the type's schema.
    fn declared_schema(&self) -> &'static Schema;

    /// The type's complete schema: the declared one with the rest of the AWS provider's
    /// schema for the type, unsupported (see [`reference`]).
    fn schema(&self) -> &'static Schema {
        reference::complete(
            reference::Kind::Resource,
            self.type_name(),
            self.declared_schema(),
        )
    }

    /// Brings a value (a conformed configuration, or a state read from AWS) into canonical
    /// form before the planner compares them: JSON documents with sorted keys and no
    /// whitespace, AWS defaults spelled out, rule sets in AWS's grouping... Only known parts
    /// need handling; unknown values must be passed through. The default changes nothing.
    fn normalize(&self, value: Value) -> Value {
        value
    }

    /// False for types with nothing to read back (e.g. `null_resource`): refresh keeps the
    /// recorded state.
    fn refreshes(&self) -> bool {
        true
    }

    /// The object as a refresh records it, from `read` (as read from AWS and normalised) and
    /// `recorded` (the object as recorded before). For types where AWS reports one setting in
    /// two forms and the provider keeps the form the state has (a listener action's
    /// `target_group_arn` or `forward` block). The default keeps what was read.
    fn refreshed(&self, read: Value, _recorded: &Value) -> Value {
        read
    }

    /// Reads many objects of this type at once (one paginated Describe call where the API
    /// allows it). Returns the current state of each id that still exists; ids that no longer
    /// exist are simply absent from the map.
    async fn read_many(
        &self,
        clients: &AwsClients,
        ids: &[String],
    ) -> Result<BTreeMap<String, Value>, ApiError>;

    /// [`ResourceType::read_many`] for a refresh: `batch` holds reads that serve several
    /// objects or types of the same refresh at once (IAM's account details, the Tagging API's
    /// tags), made by the first type that needs them. Types read from it where it has what
    /// they need and read the rest as `read_many` does. The default is `read_many`.
    async fn refresh_many(
        &self,
        clients: &AwsClients,
        ids: &[String],
        _batch: &RefreshBatch,
    ) -> Result<BTreeMap<String, Value>, ApiError> {
        self.read_many(clients, ids).await
    }

    /// Creates the object described by `planned` (all arguments known) and returns its state.
    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value, ApiError>;

    /// How an object this type created can be found again when its id was never recorded
    /// (see [`adopt`]). No default: every type decides.
    fn adoption(&self) -> Adoption;

    /// Fixes in `planned` what [`ResourceType::create`] would otherwise choose at random (a
    /// name made from `name_prefix`, a generated target id), so that the intent row written
    /// before the call records it and [`ResourceType::find_created`] can look for it. The
    /// default has nothing to fix.
    fn pin_generated(&self, planned: Value) -> Value {
        planned
    }

    /// Looks for objects a create of `planned` (as recorded in the intent row, pinned) for
    /// `owner` may have made, as [`ResourceType::adoption`] says: by tags, by name or by the
    /// id the arguments give. Returns what it found, each read as [`ResourceType::read_many`]
    /// reads it; objects with the same name that are not this instance's come back as
    /// [`Candidate::Foreign`] and are never adopted.
    async fn find_created(
        &self,
        clients: &AwsClients,
        planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>, ApiError>;

    /// Changes the object in place from `prior` to `planned`, returning the new state. Called
    /// only when no changed attribute forces replacement.
    async fn update(
        &self,
        ctx: &CallContext<'_>,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ApiError>;

    /// Deletes the object, waiting until AWS reports it gone where deletion is asynchronous.
    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<(), ApiError>;

    /// False for types whose objects cannot be imported (`null_resource`, as in Terraform).
    fn importable(&self) -> bool {
        true
    }

    /// The import ID `ecsform import` takes for this type, as the AWS provider's documentation
    /// describes it (shown in errors and in docs/import.md), e.g. "`ROLE_NAME/POLICY_ARN`".
    fn import_id_format(&self) -> &'static str {
        "the object's id"
    }

    /// Turns an import ID (the AWS provider's format, see [`ResourceType::import_id_format`])
    /// into the id this type records in state and reads with [`ResourceType::read_many`]. The
    /// default takes the ID as it is; types whose state ids differ from the AWS provider's
    /// import IDs translate them, looking the object up where the id needs AWS (an ARN for a
    /// name).
    async fn import_id(&self, _clients: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        Ok(id.to_string())
    }

    /// The object to record for an import, from `read` (the object as read from AWS and
    /// normalised) and `config` (the conformed configuration of the address it goes to). The
    /// default fills the arguments AWS does not store ([`AttrSchema::local`]: behaviour
    /// switches such as `force_destroy`) from the configuration, see [`fill_local_from_config`].
    fn imported(&self, read: Value, config: &Value) -> Value {
        fill_local_from_config(self.schema(), read, config)
    }

    /// The mistakes in an instance's configuration (its evaluated arguments, in the type's
    /// shape) that the schema cannot express: settings of a nested block that depend on each
    /// other, names that must be the type's own arguments. Checked from `validate` on, each
    /// reported at the argument it is about. The default finds none.
    fn validate(&self, _config: &Value) -> Vec<SettingError> {
        Vec::new()
    }

    /// For a type whose objects run instances that an update in place does not replace (an
    /// Auto Scaling group's, see [`rollout`]): whether the planned change, or the unchanged
    /// object, also has its instances replaced, and why. Pure, as planning is. The default
    /// never replaces any.
    fn rollout(&self, _change: &RolloutQuery<'_>) -> Option<Rollout> {
        None
    }

    /// How many instances the rollout of `object` (as recorded) would replace now, read from
    /// AWS while planning; `None` when AWS cannot tell.
    async fn rollout_size(&self, _clients: &AwsClients, _object: &Value) -> Option<usize> {
        None
    }

    /// Replaces the instances of `object` (its value once apply updated it) as
    /// [`ResourceType::rollout`] planned, sending progress and the marks to record to
    /// `events` as it goes. The default has nothing to replace.
    fn roll_out<'a>(
        &'a self,
        _ctx: &'a RolloutContext<'a>,
        _object: &'a Value,
        _events: &'a mut dyn FnMut(RolloutEvent),
    ) -> RollOut<'a> {
        Box::pin(std::future::ready(Ok(false)))
    }
}

/// A mistake [`ResourceType::validate`] finds: where it is, and what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct SettingError {
    /// The nested block the mistake is in (`rolling_update`): the error is "Invalid
    /// rolling_update block".
    pub block: &'static str,
    /// The argument it is about, or "" for the block as a whole.
    pub argument: &'static str,
    pub message: String,
}

/// Why an import ID could not be turned into a state id.
#[derive(Debug)]
pub enum ImportIdError {
    /// The ID does not have the expected shape; the text says what is wrong.
    Malformed(String),
    /// Looking the object up found nothing.
    NotFound,
    /// Looking the object up failed.
    Aws(ApiError),
}

impl From<ApiError> for ImportIdError {
    fn from(e: ApiError) -> ImportIdError {
        if e.is_not_found() {
            ImportIdError::NotFound
        } else {
            ImportIdError::Aws(e)
        }
    }
}

/// The arguments AWS does not store (`local` and settable: `force_destroy`, `skip_destroy`,
/// `wait_for_capacity_timeout`...) take the configuration's value when it is known: they
/// describe what ecsform does, not the object, so there is nothing in AWS to contradict them,
/// and recording them spares the first apply after an import a change that calls nothing.
/// Unknown or unset in the configuration, the attribute keeps what the type read (its default).
pub fn fill_local_from_config(schema: &Schema, mut read: Value, config: &Value) -> Value {
    let (Value::Map(m), Some(cfg)) = (&mut read, config.as_map()) else {
        return read;
    };
    let names = schema
        .attributes
        .iter()
        .filter(|a| a.local && a.settable())
        .map(|a| a.name);
    let blocks = schema.blocks.iter().filter(|b| b.local).map(|b| b.name);
    for name in names.chain(blocks) {
        if let Some(v) = cfg
            .get(name)
            .filter(|v| v.is_wholly_known() && !v.is_null())
        {
            m.insert(name.to_string(), v.clone());
        }
    }
    read
}

/// A data source: read-only.
#[async_trait]
pub trait DataSource: Send + Sync {
    /// `"aws_region"` (used as `data.aws_region.NAME`).
    fn type_name(&self) -> &'static str;

    /// What ecsform implements of the data source's schema.
    fn declared_schema(&self) -> &'static Schema;

    /// The complete schema: the declared one with the rest of the AWS provider's schema,
    /// unsupported (see [`reference`]).
    fn schema(&self) -> &'static Schema {
        reference::complete(
            reference::Kind::DataSource,
            self.type_name(),
            self.declared_schema(),
        )
    }

    /// Reads the data for the given (wholly known) arguments.
    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value, ApiError>;

    /// For a data source computed from its arguments alone, with no AWS call (the template
    /// provider's `template_file`): its value for `config`, the arguments as evaluated, or the
    /// error (located by the caller). The evaluation walk computes it in every walk,
    /// `validate` included, so that the value flows like any other; plan and apply then have
    /// nothing to read or conform. The default, `None`, is a data source that plan and apply
    /// read with [`DataSource::read`].
    fn read_locally(
        &self,
        _config: &Value,
        _ctx: &LocalRead<'_>,
    ) -> Option<Result<Value, Diagnostic>> {
        None
    }
}

/// What [`DataSource::read_locally`] may use besides the arguments.
pub struct LocalRead<'a> {
    /// The run's source files, where a rendered template is added for its diagnostics.
    pub sources: &'a Sources,
    /// Impure functions (`timestamp`, `uuid`) evaluate to unknown: every walk but apply's.
    pub pure_only: bool,
}

/// One row of the registry: a resource type and the other names the AWS provider gives it.
pub struct Registered {
    pub resource_type: &'static dyn ResourceType,
    /// Older names of the same type (`aws_alb` for `aws_lb`): the same schema and behaviour.
    /// An address keeps the name its configuration uses, in state, plans and messages, as in
    /// Terraform.
    pub aliases: &'static [&'static str],
}

impl Registered {
    const fn new(resource_type: &'static dyn ResourceType) -> Registered {
        Registered {
            resource_type,
            aliases: &[],
        }
    }

    const fn aliases(self, aliases: &'static [&'static str]) -> Registered {
        Registered { aliases, ..self }
    }

    /// The type's own name, then its aliases.
    fn names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.resource_type.type_name()).chain(self.aliases.iter().copied())
    }
}

/// Every resource type ecsform implements.
pub static RESOURCE_TYPES: &[Registered] = &[
    Registered::new(&builtin::NullResource),
    Registered::new(&resources::autoscaling_group::AutoscalingGroupType),
    Registered::new(&resources::autoscaling_lifecycle_hook::AutoscalingLifecycleHookType),
    Registered::new(&resources::cloudwatch_event_rule::CloudwatchEventRuleType),
    Registered::new(&resources::cloudwatch_event_target::CloudwatchEventTargetType),
    Registered::new(&resources::cloudwatch_log_group::CloudwatchLogGroupType),
    Registered::new(&resources::ecs_capacity_provider::EcsCapacityProviderType),
    Registered::new(&resources::ecs_cluster::EcsClusterType),
    Registered::new(&resources::ecs_cluster_capacity_providers::EcsClusterCapacityProvidersType),
    Registered::new(&resources::ecs_service::EcsServiceType),
    Registered::new(&resources::ecs_task_definition::EcsTaskDefinitionType),
    Registered::new(&resources::eip::EipType),
    Registered::new(&resources::iam_access_key::IamAccessKeyType),
    Registered::new(&resources::iam_instance_profile::IamInstanceProfileType),
    Registered::new(&resources::iam_policy::IamPolicyType),
    Registered::new(&resources::iam_policy_attachment::IamPolicyAttachmentType),
    Registered::new(&resources::iam_role::IamRoleType),
    Registered::new(&resources::iam_inline_policy::IAM_ROLE_POLICY),
    Registered::new(&resources::iam_role_policy_attachment::IamRolePolicyAttachmentType),
    Registered::new(&resources::iam_user::IamUserType),
    Registered::new(&resources::iam_inline_policy::IAM_USER_POLICY),
    Registered::new(&resources::internet_gateway::InternetGatewayType),
    Registered::new(&resources::key_pair::KeyPairType),
    Registered::new(&resources::launch_configuration::LaunchConfigurationType),
    Registered::new(&resources::launch_template::LaunchTemplateType),
    Registered::new(&resources::lb::LbType).aliases(&["aws_alb"]),
    Registered::new(&resources::lb_listener::LbListenerType).aliases(&["aws_alb_listener"]),
    Registered::new(&resources::lb_listener_rule::LbListenerRuleType)
        .aliases(&["aws_alb_listener_rule"]),
    Registered::new(&resources::lb_target_group::LbTargetGroupType)
        .aliases(&["aws_alb_target_group"]),
    Registered::new(&resources::nat_gateway::NatGatewayType),
    Registered::new(&resources::route::RouteType),
    Registered::new(&resources::route_table::RouteTableType),
    Registered::new(&resources::route_table_association::RouteTableAssociationType),
    Registered::new(&resources::security_group::SecurityGroupType),
    Registered::new(&resources::security_group_rule::SecurityGroupRuleType),
    Registered::new(&resources::sns_topic::SnsTopicType),
    Registered::new(&resources::subnet::SubnetType),
    Registered::new(&resources::vpc::VpcType),
];

/// Every data source ecsform implements.
pub static DATA_SOURCES: &[&dyn DataSource] = &[
    &builtin::TemplateFile,
    &crate::aws::data::ami::Ami,
    &crate::aws::data::availability_zones::AvailabilityZones,
    &crate::aws::data::caller_identity::CallerIdentity,
    &crate::aws::data::iam_policy_document::IamPolicyDocument,
    &crate::aws::data::region::Region,
    &crate::aws::data::ssm_parameter::SsmParameter,
    &crate::aws::data::subnet::SubnetData,
    &crate::aws::data::vpc::VpcData,
];

/// Every name a resource type is known by, aliases included, with the type it names.
pub fn named_resource_types() -> impl Iterator<Item = (&'static str, &'static dyn ResourceType)> {
    RESOURCE_TYPES
        .iter()
        .flat_map(|r| r.names().map(|name| (name, r.resource_type)))
}

/// Names of every supported resource type, aliases included, sorted (for "unsupported type"
/// messages and `providers schema -json`).
pub fn resource_type_names() -> Vec<&'static str> {
    let mut names: Vec<_> = named_resource_types().map(|(name, _)| name).collect();
    names.sort_unstable();
    names
}

/// Names of every supported data source, sorted.
pub fn data_source_names() -> Vec<&'static str> {
    let mut names: Vec<_> = DATA_SOURCES.iter().map(|d| d.type_name()).collect();
    names.sort_unstable();
    names
}

/// The type a resource type name (or alias: `aws_alb` is `aws_lb`) names.
pub fn resource_type(name: &str) -> Option<&'static dyn ResourceType> {
    named_resource_types()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| t)
}

pub fn data_source(name: &str) -> Option<&'static dyn DataSource> {
    DATA_SOURCES.iter().copied().find(|t| t.type_name() == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_importable_type_documents_its_import_id() {
        for t in RESOURCE_TYPES.iter().map(|r| r.resource_type) {
            if t.importable() {
                assert_ne!(
                    t.import_id_format(),
                    "the object's id",
                    "{} does not say what its import ID is",
                    t.type_name()
                );
            }
        }
        assert!(!resource_type("null_resource").unwrap().importable());
    }

    /// How each type's objects are found again after an interrupted apply. A new type must be
    /// added here (and to the table in docs/state.md): the decision cannot be left to a default.
    const ADOPTION: &[(&str, &str)] = &[
        ("aws_alb", "name + lineage tag"),
        ("aws_alb_listener", "tags"),
        ("aws_alb_listener_rule", "tags"),
        ("aws_alb_target_group", "name + lineage tag"),
        ("aws_autoscaling_group", "name + lineage tag"),
        ("aws_autoscaling_lifecycle_hook", "arguments"),
        ("aws_cloudwatch_event_rule", "name + lineage tag"),
        ("aws_cloudwatch_event_target", "arguments"),
        ("aws_cloudwatch_log_group", "name + lineage tag"),
        ("aws_ecs_capacity_provider", "name + lineage tag"),
        ("aws_ecs_cluster", "name + lineage tag"),
        ("aws_ecs_cluster_capacity_providers", "arguments"),
        ("aws_ecs_service", "name + lineage tag"),
        ("aws_ecs_task_definition", "tags"),
        ("aws_eip", "tags"),
        ("aws_iam_access_key", "cannot be found"),
        ("aws_iam_instance_profile", "name + lineage tag"),
        ("aws_iam_policy", "name + lineage tag"),
        ("aws_iam_policy_attachment", "arguments"),
        ("aws_iam_role", "name + lineage tag"),
        ("aws_iam_role_policy", "arguments"),
        ("aws_iam_role_policy_attachment", "arguments"),
        ("aws_iam_user", "name + lineage tag"),
        ("aws_iam_user_policy", "arguments"),
        ("aws_internet_gateway", "tags"),
        ("aws_key_pair", "name + lineage tag"),
        ("aws_launch_configuration", "name"),
        ("aws_launch_template", "tags"),
        ("aws_lb", "name + lineage tag"),
        ("aws_lb_listener", "tags"),
        ("aws_lb_listener_rule", "tags"),
        ("aws_lb_target_group", "name + lineage tag"),
        ("aws_nat_gateway", "tags"),
        ("aws_route", "arguments"),
        ("aws_route_table", "tags"),
        ("aws_route_table_association", "arguments"),
        ("aws_security_group", "tags"),
        ("aws_security_group_rule", "arguments"),
        ("aws_sns_topic", "name + lineage tag"),
        ("aws_subnet", "tags"),
        ("aws_vpc", "tags"),
        ("null_resource", "nothing in AWS"),
    ];

    #[test]
    fn every_type_says_how_its_objects_are_found_again() {
        let mut actual: Vec<(&str, &str)> = named_resource_types()
            .map(|(name, t)| (name, t.adoption().name()))
            .collect();
        actual.sort_unstable();
        assert_eq!(actual, ADOPTION);
        // Only a type with nothing in AWS goes without an intent row.
        for t in RESOURCE_TYPES.iter().map(|r| r.resource_type) {
            assert_eq!(
                t.adoption().wants_intent(),
                t.adoption() != Adoption::NotInAws,
                "{}",
                t.type_name()
            );
        }
    }

    #[test]
    fn the_docs_list_each_types_adoption() {
        let doc = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/state.md"),
        )
        .unwrap();
        for (name, t) in named_resource_types() {
            let row = format!("| `{name}` | {} |", t.adoption().describe());
            assert!(doc.contains(&row), "docs/state.md lacks the row\n{row}");
        }
    }

    /// A name the type would make up at creation (from `name_prefix`) is fixed before the
    /// intent row is written, so that the lookup after a crash knows what to look for.
    #[test]
    fn generated_names_are_pinned_before_a_create() {
        for t in RESOURCE_TYPES.iter().map(|r| r.resource_type) {
            let schema = t.schema();
            let (name, prefix) = if schema.attribute("key_name_prefix").is_some() {
                ("key_name", "key_name_prefix")
            } else if schema.attribute("name_prefix").is_some() {
                ("name", "name_prefix")
            } else {
                continue;
            };
            let planned = Value::Map(
                schema
                    .attributes
                    .iter()
                    .map(|a| (a.name.to_string(), Value::Null))
                    .chain([(prefix.to_string(), Value::string("pin-"))])
                    .collect(),
            );
            let pinned = t.pin_generated(planned);
            let got = pinned.as_map().and_then(|m| m.get(name)?.as_str());
            assert!(
                got.is_some_and(|n| n.starts_with("pin-")),
                "{} does not pin its {name}: {got:?}",
                t.type_name()
            );
            assert!(
                t.adoption() != Adoption::Name || schema.attribute(name).is_some(),
                "{}",
                t.type_name()
            );
        }
    }

    /// The AWS provider's older names are the same types under another name.
    #[test]
    fn aliases_name_the_same_type() {
        for (alias, target) in [
            ("aws_alb", "aws_lb"),
            ("aws_alb_listener", "aws_lb_listener"),
            ("aws_alb_listener_rule", "aws_lb_listener_rule"),
            ("aws_alb_target_group", "aws_lb_target_group"),
        ] {
            let t = resource_type(alias).unwrap();
            assert_eq!(t.type_name(), target);
            assert!(std::ptr::eq(
                t.schema(),
                resource_type(target).unwrap().schema()
            ));
            assert!(resource_type_names().contains(&alias));
        }
    }

    #[test]
    fn imports_take_arguments_aws_does_not_store_from_the_configuration() {
        static SCHEMA: Schema = Schema {
            version: 1,
            attributes: &[
                AttrSchema::computed("id", AttrType::String),
                AttrSchema::optional("name", AttrType::String),
                AttrSchema::optional("force_destroy", AttrType::Bool).local(),
                AttrSchema::optional("skip_destroy", AttrType::Bool).local(),
            ],
            blocks: &[],
        };
        let read = Value::map([
            ("id", Value::string("x")),
            ("name", Value::string("x")),
            ("force_destroy", Value::Bool(false)),
            ("skip_destroy", Value::Bool(false)),
        ]);
        let config = Value::map([
            ("name", Value::string("y")),
            ("force_destroy", Value::Bool(true)),
            ("skip_destroy", Value::Unknown),
        ]);
        let m = fill_local_from_config(&SCHEMA, read, &config);
        let m = m.as_map().unwrap();
        assert_eq!(m["force_destroy"], Value::Bool(true));
        // Unknown in the configuration: what was read stays; AWS's values are never replaced.
        assert_eq!(m["skip_destroy"], Value::Bool(false));
        assert_eq!(m["name"], Value::string("x"));
    }
}
