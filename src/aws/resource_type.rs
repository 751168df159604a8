//! The resource-type boundary: what every resource type and data source implements.
//!
//! One type = one file under `src/aws/resources/` (or `src/aws/data/`) with one struct that
//! implements [`ResourceType`] (or [`DataSource`]), listed once in the registry
//! ([`super::registry`]). The engine (plan, apply, refresh) only ever talks to these traits.
//! Values are `lang::Value` objects whose attributes follow the type's [`Schema`] (the AWS
//! provider's, [`crate::provider`]).

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;

use super::adopt::read_judged;
use super::adoption::pin_name;
use super::ec2::Ec2Reads;
use super::error::{ApiError, ErrorKind};
use super::refresh_batch::RefreshBatch;
use super::resources::expect_prefix;
use super::rollout::{RollOut, Rollout, RolloutContext, RolloutEvent, RolloutQuery};
use super::AwsClients;
use super::{Adoption, Candidate, Owner};
use crate::aws::error::Result;
use crate::diag::{Diagnostic, Sources};
use crate::lang::Value;
use crate::provider::reference;
use crate::provider::Schema;

/// The objects a read found, by id: each one's state.
pub type States = BTreeMap<String, Value>;

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
    /// What the type is, as data: its name, what ecsform implements of its schema, how its
    /// objects are found again and how it names them. The methods below that have the same
    /// names read it.
    fn declaration(&self) -> &'static Declaration;

    /// `"aws_subnet"`: the type's own name. A type found by an alias (`aws_alb`, see
    /// [`Registered`]) answers its own name here, so what shows a type name to the user
    /// (state rows, messages) takes it from the address instead.
    fn type_name(&self) -> &'static str {
        self.declaration().name
    }

    /// What ecsform implements of the type's schema.
    fn declared_schema(&self) -> &'static Schema {
        self.declaration().schema
    }

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

    /// A new object's planned value (a create, or the new object of a replacement) with the
    /// parts of computed attributes that its arguments already tell, as the AWS provider's
    /// CustomizeDiff sets them: a DNS-validated certificate's `domain_validation_options` has
    /// one element per domain name, the name known and the records unknown, so that a
    /// `for_each` over it plans with known keys. Only unknown values may be replaced, and only
    /// by what the object will have once created. `configured` holds the arguments the
    /// configuration sets (`plan::diff::configured_paths`), which tells an unset argument
    /// from one set to a value not known yet (both are unknown in `planned`). The default
    /// changes nothing.
    fn plan_new(&self, planned: Value, _configured: &BTreeSet<String>) -> Value {
        planned
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

    /// For an EC2 type whose objects one Describe call reads and ecsform's tags find again:
    /// how ([`Ec2Objects`](super::ec2::Ec2Objects)), from which the defaults of
    /// [`ResourceType::read_many`] and [`ResourceType::find_created`] follow. A type without
    /// one implements both.
    fn ec2_objects(&self) -> Option<&'static dyn Ec2Reads> {
        None
    }

    /// Reads many objects of this type at once (one paginated Describe call where the API
    /// allows it). Returns the current state of each id that still exists; ids that no longer
    /// exist are simply absent from the map. The default reads the
    /// [`ResourceType::ec2_objects`].
    async fn read_many(&self, clients: &AwsClients, ids: &[String]) -> Result<States> {
        match self.ec2_objects() {
            Some(objects) => objects.read(clients, ids).await,
            None => Err(not_implemented(self.type_name(), "read_many")),
        }
    }

    /// [`ResourceType::read_many`] for a refresh: `batch` holds reads that serve several
    /// objects or types of the same refresh at once (IAM's account details, the Tagging API's
    /// tags), made by the first type that needs them. Types read from it where it has what
    /// they need and read the rest as `read_many` does. The default is `read_many`.
    async fn refresh_many(
        &self,
        clients: &AwsClients,
        ids: &[String],
        _batch: &RefreshBatch,
    ) -> Result<States> {
        self.read_many(clients, ids).await
    }

    /// True for a type whose objects cannot be read back from their ids alone: refresh reads
    /// them with [`ResourceType::read_recorded`] instead of [`ResourceType::refresh_many`].
    /// The files of the local and archive providers ([`super::local`]), a Lambda permission
    /// (its id is a statement id; its function is in the state).
    fn reads_recorded(&self) -> bool {
        false
    }

    /// For a type that [`ResourceType::reads_recorded`]: each recorded object (`recorded`, as
    /// the state has it) as it is now, in the same order. An object that is gone, or that the
    /// provider takes as gone (a file changed outside ecsform), is `None`, so that the plan
    /// creates it again. Answers one by one rather than by id because ids need not be unique
    /// (two files with the same content have the same id).
    async fn read_recorded(
        &self,
        _clients: &AwsClients,
        _recorded: &[Value],
    ) -> Result<Vec<Option<Value>>> {
        Err(not_implemented(self.type_name(), "read_recorded"))
    }

    /// Creates the object described by `planned` (all arguments known) and returns its state.
    async fn create(&self, ctx: &CallContext<'_>, planned: &Value) -> Result<Value>;

    /// How an object this type created can be found again when its id was never recorded
    /// (see [`adopt`]): the [`Declaration::adoption`].
    fn adoption(&self) -> Adoption {
        self.declaration().adoption
    }

    /// Fixes in `planned` what [`ResourceType::create`] would otherwise choose at random (a
    /// name made from `name_prefix`, a generated target id), so that the intent row written
    /// before the call records it and [`ResourceType::find_created`] can look for it. The
    /// default pins the [`Declaration::generated_name`], if the type has one.
    fn pin_generated(&self, planned: Value) -> Value {
        match self.declaration().generated_name {
            Some(g) => pin_name(planned, g.name, g.prefix, g.default_prefix),
            None => planned,
        }
    }

    /// Looks for objects a create of `planned` (as recorded in the intent row, pinned) for
    /// `owner` may have made, as [`ResourceType::adoption`] says: by tags, by name or by the
    /// id the arguments give. Returns what it found, each read as [`ResourceType::read_many`]
    /// reads it; objects with the same name that are not this instance's come back as
    /// [`Candidate::Foreign`] and are never adopted. The default looks for the
    /// [`ResourceType::ec2_objects`] tagged as `owner`'s.
    async fn find_created(
        &self,
        clients: &AwsClients,
        _planned: &Value,
        owner: &Owner<'_>,
    ) -> Result<Vec<Candidate>> {
        match self.ec2_objects() {
            Some(objects) => {
                let found = objects.tagged(clients, owner).await?;
                read_judged(self, clients, owner, found).await
            }
            None => Err(not_implemented(self.type_name(), "find_created")),
        }
    }

    /// Changes the object in place from `prior` to `planned`, returning the new state. Called
    /// only when no changed attribute forces replacement.
    async fn update(&self, ctx: &CallContext<'_>, prior: &Value, planned: &Value) -> Result<Value>;

    /// Deletes the object, waiting until AWS reports it gone where deletion is asynchronous.
    async fn delete(&self, ctx: &CallContext<'_>, prior: &Value) -> Result<()>;

    /// False for types whose objects cannot be imported (`null_resource`, as in Terraform).
    fn importable(&self) -> bool {
        true
    }

    /// For a type whose import ID is the id AWS gives its objects, recognised by its prefix
    /// (`vpc-`): that prefix and what the id is called ([`id_prefix!`]), from which the
    /// defaults of [`ResourceType::import_id_format`] and [`ResourceType::import_id`] follow.
    fn import_prefix(&self) -> Option<IdPrefix> {
        None
    }

    /// The import ID `ecsform import` takes for this type, as the AWS provider's documentation
    /// describes it (shown in errors and in docs/import.md), e.g. "`ROLE_NAME/POLICY_ARN`".
    /// The default is the [`ResourceType::import_prefix`]'s, or "the object's id".
    fn import_id_format(&self) -> &'static str {
        self.import_prefix().map_or("the object's id", |p| p.format)
    }

    /// Turns an import ID (the AWS provider's format, see [`ResourceType::import_id_format`])
    /// into the id this type records in state and reads with [`ResourceType::read_many`]. The
    /// default takes the ID as it is; types whose state ids differ from the AWS provider's
    /// import IDs translate them, looking the object up where the id needs AWS (an ARN for a
    /// name). With an [`ResourceType::import_prefix`], the default takes an ID with that
    /// prefix as it is and refuses any other.
    async fn import_id(&self, _clients: &AwsClients, id: &str) -> Result<String, ImportIdError> {
        match self.import_prefix() {
            Some(p) => expect_prefix(id, p.prefix, p.what),
            None => Ok(id.to_string()),
        }
    }

    /// The object to record for an import, from `read` (the object as read from AWS and
    /// normalised) and `config` (the conformed configuration of the address it goes to). The
    /// default fills the arguments AWS does not store ([`AttrSchema::local`]: behaviour
    /// switches such as `force_destroy`) from the configuration, see [`fill_local_from_config`].
    fn imported(&self, read: Value, config: &Value) -> Value {
        fill_local_from_config(self.schema(), read, config)
    }

    /// Arguments an import ID carries besides the object's id, which AWS does not report
    /// (the VPC of a private DNS namespace's `NAMESPACE_ID:VPC_ID`): set on the imported
    /// object as the provider's import sets them. Called with a well-formed ID only. The
    /// default: none.
    fn import_id_arguments(&self, _import_id: &str) -> Vec<(&'static str, Value)> {
        Vec::new()
    }

    /// For a type with no AWS side (the random provider's): the object an import ID describes,
    /// built from the ID alone as the provider's import builds it, or why the ID is malformed.
    /// The default, `None`, is a type whose import reads AWS ([`ResourceType::import_id`],
    /// then [`ResourceType::read_many`]).
    fn import_locally(&self, _import_id: &str) -> Option<Result<Value, String>> {
        None
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

/// What a resource type is, as data ([`ResourceType::declaration`]), e.g.
/// `Declaration::new("aws_iam_role", &SCHEMA, Adoption::NameAndTags).generated_name("name",
/// "name_prefix", "terraform-")`.
#[derive(Clone, Copy, Debug)]
pub struct Declaration {
    /// The type's own name ([`ResourceType::type_name`]).
    pub name: &'static str,
    /// What ecsform implements of the type's schema ([`ResourceType::declared_schema`]).
    pub schema: &'static Schema,
    /// How an object created before a crash is found again ([`ResourceType::adoption`]).
    pub adoption: Adoption,
    /// Where the type makes up a name when the configuration gives none
    /// ([`ResourceType::pin_generated`]).
    pub generated_name: Option<GeneratedName>,
}

impl Declaration {
    pub const fn new(name: &'static str, schema: &'static Schema, adoption: Adoption) -> Self {
        Declaration {
            name,
            schema,
            adoption,
            generated_name: None,
        }
    }

    /// A name made up from `prefix` (or `default_prefix`) when the configuration leaves
    /// `name` unset, as the AWS provider does.
    pub const fn generated_name(
        mut self,
        name: &'static str,
        prefix: &'static str,
        default_prefix: &'static str,
    ) -> Self {
        self.generated_name = Some(GeneratedName {
            name,
            prefix: Some(prefix),
            default_prefix,
        });
        self
    }

    /// A name made up from `default_prefix` when the configuration leaves `name` unset, for
    /// a type without a prefix argument (an EventBridge target's `target_id`).
    pub const fn generated_name_without_prefix(
        mut self,
        name: &'static str,
        default_prefix: &'static str,
    ) -> Self {
        self.generated_name = Some(GeneratedName {
            name,
            prefix: None,
            default_prefix,
        });
        self
    }
}

/// A name argument that the type fills in when the configuration does not: `name` from
/// the `prefix` argument, or from `default_prefix` when the type has none or it is unset.
#[derive(Clone, Copy, Debug)]
pub struct GeneratedName {
    pub name: &'static str,
    pub prefix: Option<&'static str>,
    pub default_prefix: &'static str,
}

/// What the default of a [`ResourceType`] method that a type must implement (or give the
/// description of) answers: a mistake in ecsform, not in the configuration.
pub(crate) fn not_implemented(type_name: &str, method: &str) -> ApiError {
    ApiError::new(
        ErrorKind::Other,
        "NotImplemented",
        format!("{type_name} does not implement {method}"),
    )
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

/// An import ID that is the id AWS gives a type's objects: [`ResourceType::import_prefix`].
#[derive(Clone, Copy, Debug)]
pub struct IdPrefix {
    /// What every such id starts with: `vpc-`.
    pub prefix: &'static str,
    /// The type's [`ResourceType::import_id_format`]: "the VPC id (`vpc-…`)".
    pub format: &'static str,
    /// What an ID without the prefix was expected to be: "a VPC id".
    pub what: &'static str,
}

/// An [`IdPrefix`] from the article and name of the id and its prefix:
/// `id_prefix!(a "VPC id", "vpc-")`.
macro_rules! id_prefix {
    ($article:ident $name:literal, $prefix:literal) => {
        $crate::aws::resource_type::IdPrefix {
            prefix: $prefix,
            format: concat!("the ", $name, " (`", $prefix, "…`)"),
            what: concat!(stringify!($article), " ", $name),
        }
    };
}
pub(crate) use id_prefix;

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
    /// What the data source is, as data: its name and what ecsform implements of its schema.
    fn declaration(&self) -> &'static DataDeclaration;

    /// `"aws_region"` (used as `data.aws_region.NAME`).
    fn type_name(&self) -> &'static str {
        self.declaration().name
    }

    /// What ecsform implements of the data source's schema.
    fn declared_schema(&self) -> &'static Schema {
        self.declaration().schema
    }

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
    async fn read(&self, clients: &AwsClients, config: &Value) -> Result<Value>;

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

/// What a data source is, as data ([`DataSource::declaration`]).
#[derive(Clone, Copy, Debug)]
pub struct DataDeclaration {
    /// `"aws_region"`.
    pub name: &'static str,
    /// What ecsform implements of the data source's schema.
    pub schema: &'static Schema,
}

impl DataDeclaration {
    pub const fn new(name: &'static str, schema: &'static Schema) -> Self {
        DataDeclaration { name, schema }
    }
}

/// What [`DataSource::read_locally`] may use besides the arguments.
pub struct LocalRead<'a> {
    /// The run's source files, where a rendered template is added for its diagnostics.
    pub sources: &'a Sources,
    /// Impure functions (`timestamp`, `uuid`) evaluate to unknown: every walk but apply's.
    pub pure_only: bool,
    /// The working directory, where relative paths such as a local state's resolve.
    pub root_dir: &'a std::path::Path,
    /// The root module outputs (name, value, sensitive) of the ecsform state at a path
    /// (`terraform_remote_state`), given by the layer that knows the state.
    pub state_outputs: StateOutputs,
}

/// Reads the outputs of the ecsform state file at a path: [`LocalRead::state_outputs`].
pub type StateOutputs =
    fn(&std::path::Path) -> std::result::Result<Vec<(String, serde_json::Value, bool)>, String>;

/// A [`StateOutputs`] for reads without a state at hand (unit tests, reads outside an
/// evaluation).
pub fn no_state_outputs(
    path: &std::path::Path,
) -> std::result::Result<Vec<(String, serde_json::Value, bool)>, String> {
    Err(format!(
        "cannot read the ecsform state {} here",
        path.display()
    ))
}
