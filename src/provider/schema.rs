//! Schemas: the arguments, computed attributes and nested blocks of a resource type, with
//! which ones force replacement, which are sensitive and their defaults.
//!
//! Schemas are `static` data built with the `const fn` helpers below, e.g.
//! `AttrSchema::required("cidr_block", AttrType::String).force_new()`. The planner reads them;
//! [`Schema::conform`] turns an evaluated configuration into a full object of the schema's
//! shape.

use std::collections::BTreeMap;

use crate::lang::types::{self, Type};
use crate::lang::Value;

/// The type of an attribute's value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AttrType {
    String,
    Number,
    Bool,
    StringList,
    StringSet,
    StringMap,
    NumberList,
    NumberSet,
    /// Any value, kept as given (ecsform's own local settings such as an Auto Scaling group's
    /// `rolling_update`).
    Any,
    /// Any other type of the AWS provider's schema (`list(object({...}))`...), for arguments
    /// ecsform takes from the provider's reference schema without supporting them yet.
    Typed(&'static Type),
}

impl AttrType {
    fn lang_type(self) -> Type {
        match self {
            AttrType::String => Type::String,
            AttrType::Number => Type::Number,
            AttrType::Bool => Type::Bool,
            AttrType::StringList => Type::List(Box::new(Type::String)),
            AttrType::StringSet => Type::Set(Box::new(Type::String)),
            AttrType::StringMap => Type::Map(Box::new(Type::String)),
            AttrType::NumberList => Type::List(Box::new(Type::Number)),
            AttrType::NumberSet => Type::Set(Box::new(Type::Number)),
            AttrType::Any => Type::Any,
            AttrType::Typed(t) => t.clone(),
        }
    }
}

/// Who sets an attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrKind {
    /// The configuration must set it.
    Required,
    /// The configuration may set it; unset means null (or the default).
    Optional,
    /// Only AWS sets it (ids, ARNs, owner ids).
    Computed,
    /// The configuration may set it; unset means AWS chooses (known after apply).
    OptionalComputed,
}

/// A default for an optional attribute, shown in plans as a known value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Default {
    None,
    Bool(bool),
    Str(&'static str),
    Number(f64),
}

/// A list of attributes, consecutive ones of the same kind and type on one line:
///
/// ```ignore
/// attributes: attrs![
///     computed String: id arn;
///     required String: name.force_new();
///     optional Number: port.default(Default::Number(80.0));
///     optional StringMap: tags;
/// ],
/// ```
///
/// Each line is a kind (an [`AttrSchema`] constructor: `required`, `optional`, `computed`,
/// `optional_computed`), an [`AttrType`] and the names, each followed by the [`AttrSchema`]
/// modifiers that apply to it alone. The order is the schema's order.
macro_rules! attrs {
    ($($kind:ident $ty:ident : $($name:ident $(. $modifier:ident ( $($arg:expr),* ))* )+ ;)*) => {
        &[$($(
            $crate::provider::AttrSchema::$kind(
                stringify!($name),
                $crate::provider::AttrType::$ty,
            ) $(.$modifier($($arg),*))*
        ),+),*]
    };
}
pub(crate) use attrs;

#[derive(Clone, Copy, Debug)]
pub struct AttrSchema {
    pub name: &'static str,
    pub ty: AttrType,
    pub kind: AttrKind,
    /// Changing it replaces the object.
    pub force_new: bool,
    /// Masked in every output.
    pub sensitive: bool,
    pub default: Default,
    /// Not stored by AWS (a behaviour switch such as `revoke_rules_on_delete`): refresh keeps
    /// the recorded value instead of reporting the read default as drift.
    pub local: bool,
    /// A computed attribute every in-place update changes (a launch template's
    /// `latest_version`): planned as unknown for updates, so dependents see the change coming.
    pub changes_on_update: bool,
    /// In the AWS provider's schema, but ecsform cannot send it to AWS yet: setting it is a
    /// located "not supported by ecsform yet" error.
    pub unsupported: bool,
    /// Neither sent nor read by ecsform (an attribute of the provider's schema that ecsform
    /// does not implement): its value is always null.
    pub untracked: bool,
    /// Deprecated in the AWS provider's schema.
    pub deprecated: bool,
    /// Optional in the AWS provider's schema only because of an alternative ecsform does not
    /// support yet (`cidr_block` besides `ipv4_ipam_pool_id`): ecsform needs it set.
    pub needed: bool,
    /// Changing it replaces the object when the planned value of this other boolean
    /// attribute is true (the provider's `ForceNewIf`: an instance's `user_data` with
    /// `user_data_replace_on_change`).
    pub force_new_if: Option<&'static str>,
    /// Setting it where it was unset, or unsetting it, replaces the object; other changes are
    /// made in place (the provider's plan of a VPC security group rule: its source, one of
    /// several arguments, can change but not its kind).
    pub force_new_when_set_or_unset: bool,
}

impl AttrSchema {
    const fn new(name: &'static str, ty: AttrType, kind: AttrKind) -> AttrSchema {
        AttrSchema {
            name,
            ty,
            kind,
            force_new: false,
            sensitive: false,
            default: Default::None,
            local: false,
            changes_on_update: false,
            unsupported: false,
            untracked: false,
            deprecated: false,
            needed: false,
            force_new_if: None,
            force_new_when_set_or_unset: false,
        }
    }

    pub const fn required(name: &'static str, ty: AttrType) -> AttrSchema {
        AttrSchema::new(name, ty, AttrKind::Required)
    }

    pub const fn optional(name: &'static str, ty: AttrType) -> AttrSchema {
        AttrSchema::new(name, ty, AttrKind::Optional)
    }

    pub const fn computed(name: &'static str, ty: AttrType) -> AttrSchema {
        AttrSchema::new(name, ty, AttrKind::Computed)
    }

    pub const fn optional_computed(name: &'static str, ty: AttrType) -> AttrSchema {
        AttrSchema::new(name, ty, AttrKind::OptionalComputed)
    }

    pub const fn force_new(mut self) -> AttrSchema {
        self.force_new = true;
        self
    }

    /// See [`AttrSchema::force_new_if`].
    pub const fn force_new_if(mut self, flag: &'static str) -> AttrSchema {
        self.force_new_if = Some(flag);
        self
    }

    /// See [`AttrSchema::force_new_when_set_or_unset`].
    pub const fn force_new_when_set_or_unset(mut self) -> AttrSchema {
        self.force_new_when_set_or_unset = true;
        self
    }

    pub const fn sensitive(mut self) -> AttrSchema {
        self.sensitive = true;
        self
    }

    pub const fn changes_on_update(mut self) -> AttrSchema {
        self.changes_on_update = true;
        self
    }

    pub const fn local(mut self) -> AttrSchema {
        self.local = true;
        self
    }

    pub const fn default(mut self, d: Default) -> AttrSchema {
        self.default = d;
        self
    }

    pub const fn unsupported(mut self) -> AttrSchema {
        self.unsupported = true;
        self
    }

    pub fn settable(&self) -> bool {
        self.kind != AttrKind::Computed
    }

    pub fn is_computed(&self) -> bool {
        matches!(self.kind, AttrKind::Computed | AttrKind::OptionalComputed)
    }

    /// True for an attribute of a nested block that, left unset, keeps what AWS has (and is
    /// known only after apply on create): an optional+computed one without a default, or a
    /// computed one (a root volume's `volume_id`).
    pub fn keeps_prior(&self) -> bool {
        self.kind == AttrKind::Computed && !self.untracked
            || self.kind == AttrKind::OptionalComputed && self.default == Default::None
    }

    /// The value the attribute has when unset: its default, or null.
    pub(crate) fn default_value(&self) -> Value {
        match self.default {
            Default::None => Value::Null,
            Default::Bool(b) => Value::Bool(b),
            Default::Str(s) => Value::string(s),
            Default::Number(n) => Value::Number(n),
        }
    }
}

/// How a nested block type's blocks are collected, as in Terraform's schemas
/// (`nesting_mode`). Terraform's `map` mode (labelled blocks) is not modelled: no type of the
/// AWS provider uses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// Order matters (e.g. a launch template's block devices): a list of objects.
    List,
    /// Order does not matter (security group rules, inline routes): a set of objects.
    Set,
    /// At most one block: an object, or null when there is none.
    Single,
    /// At most one block, and an object even when there is none (its attributes' defaults).
    Group,
}

impl Nesting {
    /// The name Terraform's schema JSON gives the mode.
    pub fn as_str(self) -> &'static str {
        match self {
            Nesting::List => "list",
            Nesting::Set => "set",
            Nesting::Single => "single",
            Nesting::Group => "group",
        }
    }
}

/// A nested block type: its attributes and, recursively, its own nested block types.
#[derive(Clone, Copy, Debug)]
pub struct BlockSchema {
    pub name: &'static str,
    pub nesting: Nesting,
    pub attributes: &'static [AttrSchema],
    pub blocks: &'static [BlockSchema],
    /// The fewest blocks the configuration may write (0: none needed).
    pub min_items: usize,
    /// The most blocks the configuration may write (0: no limit; `single` and `group` blocks
    /// allow one whatever this says).
    pub max_items: usize,
    /// Changing the blocks replaces the object.
    pub force_new: bool,
    /// AWS may add blocks of its own when the configuration sets none (e.g. the default
    /// egress rule): unset means keep what AWS has.
    pub computed: bool,
    /// In the AWS provider's schema, but ecsform cannot send it to AWS yet: writing one is a
    /// located "not supported by ecsform yet" error.
    pub unsupported: bool,
    /// The provider's schema has it as an attribute of a list or set of objects type that may
    /// also be written as blocks (Terraform's "attributes as blocks": `ingress`, `route`):
    /// `providers schema -json` shows it as that attribute.
    pub attribute_syntax: bool,
    /// The provider's schema has it as a computed-only attribute (a data source's
    /// `entries`, `health_check`): AWS sets it, and writing it is an error.
    pub read_only: bool,
    /// AWS does not store it (an Auto Scaling group's `instance_refresh`): refresh keeps the
    /// recorded blocks, as for a `local` attribute.
    pub local: bool,
}

impl BlockSchema {
    const fn new(name: &'static str, nesting: Nesting, attributes: &'static [AttrSchema]) -> Self {
        BlockSchema {
            name,
            nesting,
            attributes,
            blocks: &[],
            min_items: 0,
            max_items: 0,
            force_new: false,
            computed: false,
            unsupported: false,
            attribute_syntax: false,
            read_only: false,
            local: false,
        }
    }

    /// Blocks collected as a list (`nesting_mode = "list"`).
    pub const fn list(name: &'static str, attributes: &'static [AttrSchema]) -> Self {
        BlockSchema::new(name, Nesting::List, attributes)
    }

    /// Blocks collected as a set (`nesting_mode = "set"`).
    pub const fn set(name: &'static str, attributes: &'static [AttrSchema]) -> Self {
        BlockSchema::new(name, Nesting::Set, attributes)
    }

    /// One optional block, an object or null (`nesting_mode = "single"`).
    pub const fn single(name: &'static str, attributes: &'static [AttrSchema]) -> Self {
        BlockSchema::new(name, Nesting::Single, attributes)
    }

    /// One block that is always there (`nesting_mode = "group"`).
    pub const fn group(name: &'static str, attributes: &'static [AttrSchema]) -> Self {
        BlockSchema::new(name, Nesting::Group, attributes)
    }

    pub const fn nesting(mut self, nesting: Nesting) -> Self {
        self.nesting = nesting;
        self
    }

    /// The block types nested inside this one.
    pub const fn blocks(mut self, blocks: &'static [BlockSchema]) -> Self {
        self.blocks = blocks;
        self
    }

    pub const fn min_items(mut self, n: usize) -> Self {
        self.min_items = n;
        self
    }

    pub const fn max_items(mut self, n: usize) -> Self {
        self.max_items = n;
        self
    }

    pub const fn force_new(mut self) -> Self {
        self.force_new = true;
        self
    }

    pub const fn computed(mut self) -> Self {
        self.computed = true;
        self
    }

    pub const fn unsupported(mut self) -> Self {
        self.unsupported = true;
        self
    }

    pub const fn local(mut self) -> Self {
        self.local = true;
        self
    }

    pub fn attribute(&self, name: &str) -> Option<&AttrSchema> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn block(&self, name: &str) -> Option<&BlockSchema> {
        self.blocks.iter().find(|b| b.name == name)
    }

    /// The most blocks the configuration may write, 0 for no limit.
    fn limit(&self) -> usize {
        match self.nesting {
            Nesting::Single | Nesting::Group => 1,
            Nesting::List | Nesting::Set => self.max_items,
        }
    }

    /// The value of this block type in an object that has none of its blocks: an empty list or set,
    /// null for a `single` block, an object of nulls (and empty nested blocks) for a `group`.
    pub fn empty_value(&self) -> Value {
        match self.nesting {
            Nesting::List => Value::List(Vec::new()),
            Nesting::Set => Value::set(Vec::new()),
            Nesting::Single => Value::Null,
            Nesting::Group => Value::Map(self.empty_object()),
        }
    }

    /// One block's object with every attribute null and every nested block type empty.
    pub fn empty_object(&self) -> BTreeMap<String, Value> {
        self.attributes
            .iter()
            .map(|a| (a.name.to_string(), Value::Null))
            .chain(
                self.blocks
                    .iter()
                    .map(|b| (b.name.to_string(), b.empty_value())),
            )
            .collect()
    }

    /// The block objects in `v`, a value of this block type: the items of a list or set, the
    /// object of a `single` or `group` block, nothing for null or unknown.
    pub fn items(v: &Value) -> &[Value] {
        match v.unmarked() {
            Value::List(items) | Value::Set(items) => items,
            m @ Value::Map(_) => std::slice::from_ref(m),
            _ => &[],
        }
    }

    /// True if something inside this block type keeps what AWS has when the configuration
    /// leaves it unset: a computed nested block type, or an optional+computed attribute without
    /// a default (here or deeper).
    pub fn keeps_prior_inside(&self) -> bool {
        self.attributes.iter().any(AttrSchema::keeps_prior)
            || self
                .blocks
                .iter()
                .any(|n| n.computed || n.keeps_prior_inside())
    }

    /// True if this block type or a block type inside it has an attribute or block type that
    /// forces replacement.
    pub fn has_force_new(&self) -> bool {
        self.force_new
            || self.attributes.iter().any(|a| a.force_new)
            || self.blocks.iter().any(BlockSchema::has_force_new)
    }
}

/// A configuration that does not fit its schema: where (the argument or block, names from the
/// top of the resource: `["ingress", "from_port"]`), what in Terraform's words (`summary`,
/// `detail`, for a diagnostic located at the argument), and the same as one line naming the
/// path (`message`, for messages that list several problems of one object).
#[derive(Clone, Debug, PartialEq)]
pub struct ConformError {
    pub path: Vec<String>,
    pub summary: String,
    pub detail: String,
    pub message: String,
    /// A name the schema does not have here (the caller may know it was written as a block).
    pub unexpected: bool,
}

impl ConformError {
    fn new(
        path: &str,
        name: &str,
        summary: impl Into<String>,
        detail: impl Into<String>,
        message: impl Into<String>,
    ) -> ConformError {
        let mut p: Vec<String> = if path.is_empty() {
            Vec::new()
        } else {
            path.split('.').map(String::from).collect()
        };
        p.push(name.to_string());
        ConformError {
            path: p,
            summary: summary.into(),
            detail: detail.into(),
            message: message.into(),
            unexpected: false,
        }
    }
}

impl std::fmt::Display for ConformError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Several problems of one object, one per line.
pub fn describe(errors: &[ConformError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Everything a resource type's objects have.
#[derive(Debug)]
pub struct Schema {
    /// Bumped when the stored shape changes.
    pub version: i64,
    pub attributes: &'static [AttrSchema],
    pub blocks: &'static [BlockSchema],
}

impl Schema {
    pub fn attribute(&self, name: &str) -> Option<&AttrSchema> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn block(&self, name: &str) -> Option<&BlockSchema> {
        self.blocks.iter().find(|b| b.name == name)
    }

    /// Turns an evaluated configuration into an object with exactly the schema's attributes
    /// and blocks, at every depth: unset optional attributes become their default or null,
    /// computed ones unknown (the planner replaces those with prior values where it keeps
    /// them), values are converted to the attribute types, blocks are collected as their
    /// nesting mode says and counted against `min_items`/`max_items`. Errors name the path
    /// ("cidr_block: string required", "auto_scaling_group_provider.managed_scaling: ...");
    /// unknown arguments are reported as well.
    pub fn conform(&self, config: &Value) -> Result<Value, Vec<ConformError>> {
        let (value, errors) = self.conform_partial(config);
        if errors.is_empty() {
            Ok(value)
        } else {
            Err(errors)
        }
    }

    /// The configuration made of `pairs`, conformed; for tests, e.g.
    /// `SCHEMA.conformed([("name", Value::string("web"))])`.
    #[cfg(test)]
    pub fn conformed<K: Into<String>>(&self, pairs: impl IntoIterator<Item = (K, Value)>) -> Value {
        self.conform(&Value::map(pairs))
            .expect("the test's configuration conforms")
    }

    /// [`Schema::conform`], keeping the object even when there are problems: what could not
    /// be converted is null, so that expressions referring to it can still be checked.
    pub fn conform_partial(&self, config: &Value) -> (Value, Vec<ConformError>) {
        let empty = BTreeMap::new();
        let given = config.as_map().unwrap_or(&empty);
        let mut errors = Vec::new();
        let out = conform_object(self.attributes, self.blocks, given, &mut errors, "");
        (Value::Map(out), errors)
    }

    /// A stored or read object (JSON-shaped: lists for sets) in the schema's shape: sets as
    /// sets, numbers as numbers, sensitive attributes marked, nested blocks as their nesting
    /// mode says. Attributes missing from `v` are null; attributes the schema does not know are
    /// dropped.
    pub fn decode(&self, v: &Value) -> Value {
        self.decode_owned(v.clone())
    }

    /// [`Schema::decode`] taking the object by value: attributes are moved into the result
    /// rather than copied. Planning decodes every attribute of every object in the state, and
    /// copying them was a measurable part of a 10,000-instance plan.
    pub fn decode_owned(&self, v: Value) -> Value {
        let mut m = match v.unmark().0 {
            Value::Map(m) => m,
            _ => BTreeMap::new(),
        };
        Value::Map(decode_object(self.attributes, self.blocks, &mut m))
    }

    /// True if `path` (names from the top: `["ingress", "from_port"]`) leads through block
    /// types to an attribute.
    pub fn is_attribute_path(&self, path: &[String]) -> bool {
        let Some((last, blocks)) = path.split_last() else {
            return false;
        };
        let mut attrs = self.attributes;
        let mut nested = self.blocks;
        for name in blocks {
            match nested.iter().find(|b| b.name == *name) {
                Some(b) => (attrs, nested) = (b.attributes, b.blocks),
                None => return false,
            }
        }
        attrs.iter().any(|a| a.name == *last)
    }

    /// True if the attribute at `path` (top-level name or `block.attr`) is sensitive.
    pub fn is_sensitive(&self, name: &str) -> bool {
        self.attribute(name).is_some_and(|a| a.sensitive)
    }
}

/// `parent.name`, or `name` at the top level.
fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

/// `parent: `, what errors about blocks inside `parent` start with (nothing at the top level).
fn at(parent: &str) -> String {
    if parent.is_empty() {
        String::new()
    } else {
        format!("{parent}: ")
    }
}

/// Takes the schema's attributes and blocks out of `given`, each converted to its type where
/// it can be, blocks decoded recursively.
fn decode_object(
    attrs: &[AttrSchema],
    blocks: &[BlockSchema],
    given: &mut BTreeMap<String, Value>,
) -> BTreeMap<String, Value> {
    let mut out = decode_attrs(attrs, given);
    for b in blocks {
        out.insert(b.name.to_string(), decode_block(b, given.remove(b.name)));
    }
    out
}

/// A stored value of block type `b`: lists of objects for list and set blocks (sets stored as
/// lists), an object or null for a single block, an object for a group.
fn decode_block(b: &BlockSchema, v: Option<Value>) -> Value {
    let item = |i: Value| {
        let mut given = match i.unmark().0 {
            Value::Map(given) => given,
            _ => BTreeMap::new(),
        };
        Value::Map(decode_object(b.attributes, b.blocks, &mut given))
    };
    let v = v.map(|v| v.unmark().0);
    match b.nesting {
        Nesting::List | Nesting::Set => {
            let items: Vec<Value> = match v {
                Some(Value::List(items) | Value::Set(items)) => {
                    items.into_iter().map(item).collect()
                }
                _ => Vec::new(),
            };
            if b.nesting == Nesting::Set {
                Value::set(items)
            } else {
                Value::List(items)
            }
        }
        Nesting::Single | Nesting::Group => {
            let one = match v {
                Some(m @ Value::Map(_)) => Some(m),
                Some(Value::List(items) | Value::Set(items)) => items.into_iter().next(),
                _ => None,
            };
            match (one, b.nesting) {
                (Some(m), _) => item(m),
                (None, Nesting::Group) => item(Value::Null),
                (None, _) => Value::Null,
            }
        }
    }
}

/// Takes the schema's attributes out of `given` (what is left are attributes the schema does
/// not know, or its blocks), each converted to its type where it can be.
fn decode_attrs(
    attrs: &[AttrSchema],
    given: &mut BTreeMap<String, Value>,
) -> BTreeMap<String, Value> {
    attrs
        .iter()
        .map(|a| {
            let v = given.remove(a.name).unwrap_or(Value::Null);
            let ty = a.ty.lang_type();
            // Nearly every stored value has its type already; converting it anyway would copy
            // it twice (once to keep it in case the conversion fails).
            let v = match (&v, &ty) {
                (Value::Null, _)
                | (_, Type::Any)
                | (Value::String(_), Type::String)
                | (Value::Number(_), Type::Number)
                | (Value::Bool(_), Type::Bool) => v,
                _ => types::convert(v.clone(), &ty).unwrap_or(v),
            };
            (a.name.to_string(), v.mark_sensitive(a.sensitive))
        })
        .collect()
}

/// Whether the configuration wrote anything for a block type: evaluation may give a block type
/// that was not written as null or as no blocks.
fn written(v: &Value) -> bool {
    match v.unmarked() {
        Value::Null => false,
        Value::List(items) | Value::Set(items) => !items.is_empty(),
        _ => true,
    }
}

/// One object (the resource's, or one block's) conformed: `path` is where it is, empty at the
/// top level.
fn conform_object(
    attrs: &[AttrSchema],
    blocks: &[BlockSchema],
    given: &BTreeMap<String, Value>,
    errors: &mut Vec<ConformError>,
    path: &str,
) -> BTreeMap<String, Value> {
    for key in given.keys() {
        let attr = attrs.iter().find(|a| a.name == key);
        let known = attr.is_some() || blocks.iter().any(|b| b.name == key);
        if !known {
            let names: Vec<&str> = attrs
                .iter()
                .filter(|a| a.settable())
                .map(|a| a.name)
                .chain(blocks.iter().map(|b| b.name))
                .collect();
            let hint = crate::lang::eval::suggest_attribute(key, &names)
                .map(|s| format!(" Did you mean \"{s}\"?"))
                .unwrap_or_default();
            let detail = format!("An argument named \"{key}\" is not expected here.{hint}");
            let message = if path.is_empty() {
                detail.clone()
            } else {
                format!("{path}: an argument named \"{key}\" is not expected here.{hint}")
            };
            let mut e = ConformError::new(path, key, "Unsupported argument", detail, message);
            e.unexpected = true;
            errors.push(e);
        } else if attr.is_some_and(|a| a.unsupported && a.settable())
            && !given[key].unmarked().is_null()
        {
            errors.push(not_supported_yet(path, key, "argument"));
        } else if attr.is_some_and(|a| !a.settable())
            || blocks
                .iter()
                .any(|b| b.name == key && b.read_only && written(&given[key]))
        {
            let detail = format!(
                "Cannot set value for \"{key}\": the provider has marked it as read-only (AWS sets it). Remove the configuration line setting the value."
            );
            errors.push(ConformError::new(
                path,
                key,
                "Invalid Configuration for Read-Only Attribute",
                detail.clone(),
                format!("{}{detail}", at(path)),
            ));
        }
    }
    let mut out = conform_attrs(attrs, given, errors, path);
    for b in blocks {
        let v = match given.get(b.name) {
            // Reported above, once for the whole block.
            Some(v) if b.read_only && written(v) => Value::Unknown,
            v => conform_block(b, v, errors, path),
        };
        out.insert(b.name.to_string(), v);
    }
    out
}

/// The blocks of type `b` that the configuration wrote (evaluation collects every block type
/// as a list of objects), in the shape of `b`'s nesting mode.
fn conform_block(
    b: &BlockSchema,
    given: Option<&Value>,
    errors: &mut Vec<ConformError>,
    parent: &str,
) -> Value {
    let path = join(parent, b.name);
    let items: &[Value] = match given.map(Value::unmarked) {
        None | Some(Value::Null) if b.computed => return Value::Unknown,
        None | Some(Value::Null) => &[],
        // A `dynamic` block over a collection not known yet: neither the blocks nor their
        // number are known.
        Some(Value::Unknown) => return Value::Unknown,
        Some(Value::List(items)) | Some(Value::Set(items))
            if items
                .iter()
                .all(|i| matches!(i.unmarked(), Value::Map(_) | Value::Unknown)) =>
        {
            items
        }
        Some(m @ Value::Map(_)) if matches!(b.nesting, Nesting::Single | Nesting::Group) => {
            std::slice::from_ref(m)
        }
        // Evaluation gives every block as a list of objects: anything else was written as an
        // argument (`path_pattern = ["/api/*"]`).
        Some(_) => {
            let detail = format!(
                "An argument named \"{0}\" is not expected here. Did you mean to define a block of type \"{0}\"?",
                b.name
            );
            errors.push(ConformError::new(
                parent,
                b.name,
                "Unsupported argument",
                detail.clone(),
                format!("{}{detail}", at(parent)),
            ));
            return Value::Null;
        }
    };
    if b.unsupported && !items.is_empty() {
        errors.push(not_supported_yet(parent, b.name, "block type"));
        return b.empty_value();
    }
    let at = at(parent);
    let limit = b.limit();
    if limit > 0 && items.len() > limit {
        let summary = format!("Too many \"{}\" blocks", b.name);
        let detail = format!("No more than {limit} \"{}\" blocks are allowed", b.name);
        let message = format!("{at}{summary}: {detail}");
        errors.push(ConformError::new(parent, b.name, summary, detail, message));
    } else if items.len() < b.min_items {
        let summary = format!("Insufficient \"{}\" blocks", b.name);
        let detail = format!(
            "At least {} \"{}\" blocks are required.",
            b.min_items, b.name
        );
        let message = format!("{at}{summary}: {detail}");
        errors.push(ConformError::new(parent, b.name, summary, detail, message));
    }
    let empty = BTreeMap::new();
    let mut conformed: Vec<Value> = items
        .iter()
        .map(|item| match item.unmarked() {
            Value::Unknown => Value::Unknown,
            item => Value::Map(conform_object(
                b.attributes,
                b.blocks,
                item.as_map().unwrap_or(&empty),
                errors,
                &path,
            )),
        })
        .collect();
    match b.nesting {
        Nesting::List => Value::List(conformed),
        Nesting::Set => Value::set(conformed),
        Nesting::Single if conformed.is_empty() => Value::Null,
        Nesting::Group if conformed.is_empty() => Value::Map(conform_object(
            b.attributes,
            b.blocks,
            &empty,
            errors,
            &path,
        )),
        Nesting::Single | Nesting::Group => conformed.swap_remove(0),
    }
}

/// The error for an argument or block type of the AWS provider's schema that ecsform does not
/// support yet (`what`: "argument" or "block type").
fn not_supported_yet(path: &str, name: &str, what: &str) -> ConformError {
    let detail = format!(
        "The {what} \"{name}\" is part of the AWS provider's schema, but ecsform does not support it yet, so it cannot be set. Remove it, or see docs/compatibility.md for what ecsform supports."
    );
    ConformError::new(
        path,
        name,
        format!("{} not supported by ecsform yet", capitalized(what)),
        detail.clone(),
        format!("{}{detail}", at(path)),
    )
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn conform_attrs(
    attrs: &[AttrSchema],
    given: &BTreeMap<String, Value>,
    errors: &mut Vec<ConformError>,
    prefix: &str,
) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for a in attrs {
        let v = given.get(a.name).cloned().unwrap_or(Value::Null);
        let v = match a.kind {
            // Reported by `conform_object` when set; ecsform neither sends nor reads it.
            _ if a.untracked => Value::Null,
            AttrKind::Computed => Value::Unknown,
            _ if a.needed && v.is_null() => {
                errors.push(ConformError::new(
                    prefix,
                    a.name,
                    "Missing required argument",
                    format!(
                        "The argument \"{}\" is required by ecsform. The AWS provider can do without it when other arguments are set instead, but ecsform does not support those yet.",
                        a.name
                    ),
                    format!(
                        "The argument \"{}\" is required by ecsform (the AWS provider's alternatives to it are not supported yet).",
                        join(prefix, a.name)
                    ),
                ));
                Value::Null
            }
            _ if v.is_null() => match a.kind {
                AttrKind::Required => {
                    errors.push(ConformError::new(
                        prefix,
                        a.name,
                        "Missing required argument",
                        format!(
                            "The argument \"{}\" is required, but no definition was found.",
                            a.name
                        ),
                        format!(
                            "The argument \"{}\" is required, but no definition was found.",
                            join(prefix, a.name)
                        ),
                    ));
                    Value::Null
                }
                AttrKind::OptionalComputed if a.default == Default::None => Value::Unknown,
                _ => a.default_value(),
            },
            _ => match types::convert(v, &a.ty.lang_type()) {
                Ok(v) => v,
                Err(e) => {
                    errors.push(ConformError::new(
                        prefix,
                        a.name,
                        "Incorrect attribute value type",
                        format!("Inappropriate value for attribute \"{}\": {e}", a.name),
                        format!("{}: {e}", join(prefix, a.name)),
                    ));
                    Value::Null
                }
            },
        };
        out.insert(a.name.to_string(), v.mark_sensitive(a.sensitive));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attrs_lists_each_name_with_its_lines_kind_and_type_and_its_own_modifiers() {
        static LIST: &[AttrSchema] = attrs![
            computed String: id arn;
            optional Number: port.force_new().default(Default::Number(80.0)) weight;
            required StringSet: subnets;
        ];
        let seen: Vec<_> = LIST
            .iter()
            .map(|a| (a.name, a.kind, a.ty, a.force_new, a.default))
            .collect();
        assert_eq!(
            seen,
            [
                (
                    "id",
                    AttrKind::Computed,
                    AttrType::String,
                    false,
                    Default::None
                ),
                (
                    "arn",
                    AttrKind::Computed,
                    AttrType::String,
                    false,
                    Default::None
                ),
                (
                    "port",
                    AttrKind::Optional,
                    AttrType::Number,
                    true,
                    Default::Number(80.0)
                ),
                (
                    "weight",
                    AttrKind::Optional,
                    AttrType::Number,
                    false,
                    Default::None
                ),
                (
                    "subnets",
                    AttrKind::Required,
                    AttrType::StringSet,
                    false,
                    Default::None
                ),
            ]
        );
    }

    static RULE: &[AttrSchema] = attrs![
        required Number: from_port;
        optional StringList: cidr_blocks;
    ];
    static SCHEMA: Schema = Schema {
        version: 1,
        attributes: attrs![
            computed String: id;
            required String: cidr_block.force_new();
            optional Bool: enable_dns_support.default(Default::Bool(true));
            optional_computed String: owner_id;
            optional StringMap: tags;
        ],
        blocks: &[BlockSchema::set("ingress", RULE)],
    };

    #[test]
    fn conform_fills_defaults_unknowns_and_blocks() {
        let config = Value::map([
            ("cidr_block", Value::string("10.0.0.0/16")),
            (
                "ingress",
                Value::List(vec![Value::map([("from_port", Value::string("22"))])]),
            ),
        ]);
        let v = SCHEMA.conform(&config).unwrap();
        let m = v.as_map().unwrap();
        assert_eq!(m["id"], Value::Unknown);
        assert_eq!(m["enable_dns_support"], Value::Bool(true));
        assert_eq!(m["owner_id"], Value::Unknown);
        assert_eq!(m["tags"], Value::Null);
        let rule = &m["ingress"].as_list().unwrap()[0];
        assert_eq!(rule.as_map().unwrap()["from_port"], Value::number(22));
        assert_eq!(rule.as_map().unwrap()["cidr_blocks"], Value::Null);
    }

    #[test]
    fn conform_reports_every_problem() {
        let config = Value::map([
            ("cidr_blok", Value::string("x")),
            ("enable_dns_support", Value::string("maybe")),
        ]);
        let errors = SCHEMA
            .conform(&config)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>();
        assert_eq!(errors.len(), 3, "{errors:?}");
    }

    static SCALING: &[AttrSchema] = attrs![
        optional String: status.default(Default::Str("DISABLED"));
        optional_computed Number: target_capacity;
    ];
    static PROVIDER: &[AttrSchema] = attrs![
        required String: group_arn.force_new();
        optional String: protection;
    ];
    static NESTED: Schema = Schema {
        version: 1,
        attributes: attrs![
            required String: name;
        ],
        blocks: &[
            BlockSchema::list("provider", PROVIDER)
                .min_items(1)
                .max_items(1)
                .blocks(&[BlockSchema::list("scaling", SCALING).max_items(1)]),
            BlockSchema::set("rule", RULE),
            BlockSchema::single(
                "timeouts",
                attrs![
                    optional String: create;
                ],
            ),
            BlockSchema::group(
                "options",
                attrs![
                    optional Bool: enabled.default(Default::Bool(false));
                ],
            ),
        ],
    };

    fn blocks(items: impl IntoIterator<Item = Value>) -> Value {
        Value::List(items.into_iter().collect())
    }

    fn field<'v>(v: &'v Value, path: &[&str]) -> &'v Value {
        path.iter().fold(v, |v, k| match v {
            Value::List(items) | Value::Set(items) => &items[k.parse::<usize>().unwrap()],
            _ => &v.as_map().unwrap()[*k],
        })
    }

    #[test]
    fn conform_fills_nested_defaults_and_unknowns() {
        let config = Value::map([
            ("name", Value::string("cp")),
            (
                "provider",
                blocks([Value::map([
                    ("group_arn", Value::string("arn:asg")),
                    ("scaling", blocks([Value::map::<&str>([])])),
                ])]),
            ),
        ]);
        let v = NESTED.conform(&config).unwrap();
        let scaling = field(&v, &["provider", "0", "scaling", "0"]);
        assert_eq!(field(scaling, &["status"]), &Value::string("DISABLED"));
        assert_eq!(field(scaling, &["target_capacity"]), &Value::Unknown);
        assert_eq!(field(&v, &["provider", "0", "protection"]), &Value::Null);
        assert_eq!(field(&v, &["rule"]), &Value::set(Vec::new()));
        // No single block is null; no group block is its attributes' defaults.
        assert_eq!(field(&v, &["timeouts"]), &Value::Null);
        assert_eq!(
            field(&v, &["options"]),
            &Value::map([("enabled", Value::Bool(false))])
        );

        // A provider without a scaling block has none.
        let config = Value::map([
            ("name", Value::string("cp")),
            (
                "provider",
                blocks([Value::map([("group_arn", Value::string("arn:asg"))])]),
            ),
            (
                "timeouts",
                blocks([Value::map([("create", Value::string("5m"))])]),
            ),
        ]);
        let v = NESTED.conform(&config).unwrap();
        assert_eq!(field(&v, &["provider", "0", "scaling"]), &blocks([]));
        assert_eq!(
            field(&v, &["timeouts"]),
            &Value::map([("create", Value::string("5m"))])
        );
    }

    #[test]
    fn conform_counts_blocks_at_every_depth() {
        let provider = || {
            Value::map([
                ("group_arn", Value::string("arn:asg")),
                (
                    "scaling",
                    blocks([
                        Value::map([("target_capacity", Value::string("many"))]),
                        Value::map([("status", Value::string("ENABLED")), ("x", Value::Null)]),
                    ]),
                ),
            ])
        };
        let config = Value::map([
            ("name", Value::string("cp")),
            ("provider", blocks([provider(), provider()])),
            (
                "timeouts",
                blocks([Value::map::<&str>([]), Value::map::<&str>([])]),
            ),
        ]);
        let errors = NESTED
            .conform(&config)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>();
        for expected in [
            "Too many \"provider\" blocks: No more than 1 \"provider\" blocks are allowed",
            "provider: Too many \"scaling\" blocks: No more than 1 \"scaling\" blocks are allowed",
            "provider.scaling.target_capacity: a number is required",
            "provider.scaling: an argument named \"x\" is not expected here.",
            "Too many \"timeouts\" blocks: No more than 1 \"timeouts\" blocks are allowed",
        ] {
            assert!(
                errors.iter().any(|e| e.starts_with(expected)),
                "{expected:?} not in {errors:#?}"
            );
        }

        let errors = NESTED
            .conform(&Value::map([
                ("name", Value::string("cp")),
                (
                    "provider",
                    blocks([Value::map([
                        ("group_arn", Value::string("arn:asg")),
                        ("scaling", Value::string("on")),
                    ])]),
                ),
            ]))
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>();
        assert_eq!(
            errors,
            ["provider: An argument named \"scaling\" is not expected here. Did you mean to define a block of type \"scaling\"?"]
        );

        let errors = NESTED
            .conform(&Value::map([("name", Value::string("cp"))]))
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>();
        assert_eq!(
            errors,
            ["Insufficient \"provider\" blocks: At least 1 \"provider\" blocks are required."]
        );

        let errors = NESTED
            .conform(&Value::map([
                ("name", Value::string("cp")),
                ("provider", blocks([Value::map([("scaling", blocks([]))])])),
            ]))
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>();
        assert_eq!(
            errors,
            ["The argument \"provider.group_arn\" is required, but no definition was found."]
        );

        // Blocks from a `dynamic` block over a collection not known yet are not counted.
        let v = NESTED.conformed([("name", Value::string("cp")), ("provider", Value::Unknown)]);
        assert_eq!(field(&v, &["provider"]), &Value::Unknown);
    }

    #[test]
    fn decode_reads_nested_stored_objects() {
        // As stored: JSON-shaped, sets as lists, numbers possibly as strings, attributes the
        // schema no longer has.
        let stored = Value::map([
            ("name", Value::string("cp")),
            ("gone", Value::string("x")),
            (
                "provider",
                blocks([Value::map([
                    ("group_arn", Value::string("arn:asg")),
                    (
                        "scaling",
                        blocks([Value::map([
                            ("status", Value::string("ENABLED")),
                            ("target_capacity", Value::string("80")),
                            ("gone", Value::Bool(true)),
                        ])]),
                    ),
                ])]),
            ),
            (
                "rule",
                blocks([
                    Value::map([("from_port", Value::number(443))]),
                    Value::map([("from_port", Value::number(22))]),
                ]),
            ),
            ("timeouts", Value::map([("create", Value::string("5m"))])),
        ]);
        let v = NESTED.decode_owned(stored);
        let m = v.as_map().unwrap();
        assert!(!m.contains_key("gone"));
        assert_eq!(
            field(&v, &["provider", "0", "scaling", "0"]),
            &Value::map([
                ("status", Value::string("ENABLED")),
                ("target_capacity", Value::number(80)),
            ])
        );
        assert_eq!(field(&v, &["provider", "0", "protection"]), &Value::Null);
        assert!(matches!(m["rule"], Value::Set(_)));
        assert_eq!(
            field(&v, &["timeouts"]),
            &Value::map([("create", Value::string("5m"))])
        );
        assert_eq!(
            field(&v, &["options"]),
            &Value::map([("enabled", Value::Null)])
        );

        // What is not stored is empty: no blocks, a null single block.
        let v = NESTED.decode_owned(Value::map([("name", Value::string("cp"))]));
        assert_eq!(field(&v, &["provider"]), &blocks([]));
        assert_eq!(field(&v, &["timeouts"]), &Value::Null);
    }

    #[test]
    fn set_blocks_compare_equal_in_any_order() {
        let rule = |port: i32| Value::map([("from_port", Value::number(port))]);
        let config = |rules: Vec<Value>| {
            Value::map([
                ("name", Value::string("cp")),
                (
                    "provider",
                    blocks([Value::map([("group_arn", Value::string("arn:asg"))])]),
                ),
                ("rule", Value::List(rules)),
            ])
        };
        let a = NESTED.conform(&config(vec![rule(22), rule(443)])).unwrap();
        let b = NESTED.conform(&config(vec![rule(443), rule(22)])).unwrap();
        assert!(a.equals(&b));
        let stored = Value::map([("rule", blocks([rule(443), rule(22)]))]);
        let decoded = NESTED.decode_owned(stored);
        assert!(field(&decoded, &["rule"]).equals(field(&a, &["rule"])));
    }
}
