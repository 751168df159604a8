//! Deciding one instance's action: compare the configuration (conformed to the type's schema)
//! with the prior object, honouring computed attributes, `ignore_changes` and which
//! attributes force replacement. Pure: no I/O, no AWS.

use std::collections::{BTreeMap, BTreeSet};

use super::Action;
use crate::aws::ResourceType;
use crate::config::Lifecycle;
use crate::lang::Value;
use crate::provider::{AttrKind, BlockSchema, Nesting, Schema};

/// The outcome for one instance.
#[derive(Clone, Debug, PartialEq)]
pub struct InstancePlan {
    pub action: Action,
    pub after: Value,
    pub replace_paths: Vec<String>,
}

/// Plans one instance. `config` is the conformed configuration (see `Schema::conform`), and
/// `configured` the arguments the configuration actually sets, from [`configured_paths`] (an
/// unset optional+computed attribute is unknown in `config` just like one set to a value known
/// only after apply, but only the former keeps the prior value). `default_tags` are the
/// provider's, merged into `tags_all` for types that have it.
pub fn plan_instance(
    schema: &Schema,
    config: &Value,
    configured: &BTreeSet<String>,
    prior: Option<&Value>,
    lifecycle: &Lifecycle,
    default_tags: &BTreeMap<String, String>,
) -> InstancePlan {
    let tags_all = tags_all(schema, config, default_tags);
    let Some(prior) = prior else {
        return InstancePlan {
            action: Action::Create,
            after: with_tags_all(config, tags_all),
            replace_paths: Vec::new(),
        };
    };
    let empty = BTreeMap::new();
    let cfg = config.as_map().unwrap_or(&empty);
    // The configuration's value of an attribute, `tags_all` as derived.
    let configured_value = |name: &str| match &tags_all {
        Some(all) if name == "tags_all" => Some(all),
        _ => cfg.get(name),
    };
    let old = prior.as_map().unwrap_or(&empty);
    let ignore_all = lifecycle.ignore_changes.iter().any(|i| i == "*");
    let ignored = |name: &str| {
        ignore_all
            || lifecycle.ignore_changes.iter().any(|i| {
                i == name
                    || i.starts_with(&format!("{name}."))
                    || i.starts_with(&format!("{name}["))
            })
    };
    let mut after: BTreeMap<String, Value> = BTreeMap::new();
    let mut changed: Vec<(&str, bool)> = Vec::new();
    for a in schema.attributes {
        let prior_v = old.get(a.name).unwrap_or(&Value::Null);
        // `tags_all` is derived from `tags` and the default tags: planned like an argument.
        let derived = a.name == "tags_all";
        let keep_prior = derived && ignored("tags")
            || !derived
                && (a.kind == AttrKind::Computed
                    || a.kind == AttrKind::OptionalComputed && !configured.contains(a.name)
                    || a.settable() && ignored(a.name));
        let v = if keep_prior {
            prior_v
        } else {
            configured_value(a.name).unwrap_or(&Value::Null)
        };
        if (a.settable() || derived) && !keep_prior && !same(v, prior_v) {
            let forced_by_flag = a.force_new_if.is_some_and(|flag| {
                matches!(cfg.get(flag).map(Value::unmarked), Some(Value::Bool(true)))
            });
            let set_or_unset = a.force_new_when_set_or_unset && v.is_null() != prior_v.is_null();
            changed.push((a.name, a.force_new || forced_by_flag || set_or_unset));
        }
        after.insert(a.name.to_string(), v.clone());
    }
    for b in schema.blocks {
        let no_blocks = b.empty_value();
        let prior_v = old.get(b.name).unwrap_or(&no_blocks);
        let cfg_v = cfg.get(b.name).unwrap_or(&no_blocks);
        let keep_prior = (b.computed && matches!(cfg_v, Value::Unknown)) || ignored(b.name);
        let merged;
        let cfg_v = if b.keeps_prior_inside() {
            merged = with_prior_computed(b, cfg_v, prior_v, b.name, configured, None);
            &merged
        } else {
            cfg_v
        };
        let v = if keep_prior { prior_v } else { cfg_v };
        if !keep_prior && !same(v, prior_v) {
            changed.push((b.name, b.force_new || replaced_inside(b, v, prior_v)));
        }
        after.insert(b.name.to_string(), v.clone());
    }
    let replace_paths: Vec<String> = changed
        .iter()
        .filter(|(_, force)| *force)
        .map(|(n, _)| n.to_string())
        .collect();
    if !replace_paths.is_empty() {
        // A new object: everything AWS computes is unknown again, except what the
        // configuration sets.
        let mut after = after;
        for a in schema
            .attributes
            .iter()
            .filter(|a| a.is_computed() && !a.untracked)
        {
            if !ignored(a.name) {
                after.insert(
                    a.name.to_string(),
                    configured_value(a.name).cloned().unwrap_or(Value::Unknown),
                );
            }
        }
        let action = if lifecycle.create_before_destroy {
            Action::CreateThenDelete
        } else {
            Action::DeleteThenCreate
        };
        return InstancePlan {
            action,
            after: Value::Map(after),
            replace_paths,
        };
    }
    if changed.is_empty() {
        return InstancePlan {
            action: Action::NoOp,
            after: Value::Map(after),
            replace_paths,
        };
    }
    for a in schema.attributes.iter().filter(|a| a.changes_on_update) {
        after.insert(a.name.to_string(), Value::Unknown);
    }
    InstancePlan {
        action: Action::Update,
        after: Value::Map(after),
        replace_paths,
    }
}

/// `p` with what the resource type tells of a new object's computed values (a create or the
/// new object of a replacement; see [`ResourceType::plan_new`]). Only values `p` plans as
/// unknown take the type's: what is known already stays as planned, whatever the type says.
pub fn with_new_computed(
    rt: Option<&dyn ResourceType>,
    mut p: InstancePlan,
    configured: &BTreeSet<String>,
) -> InstancePlan {
    let new_object = matches!(
        p.action,
        Action::Create | Action::CreateThenDelete | Action::DeleteThenCreate
    );
    if let (Some(rt), true) = (rt, new_object) {
        let filled = rt.plan_new(p.after.clone(), configured);
        p.after = fill_unknown(p.after, filled);
    }
    p
}

/// `planned` with each unknown part replaced by the same part of `filled`; objects are merged
/// attribute by attribute, and anything known stays.
fn fill_unknown(planned: Value, filled: Value) -> Value {
    match (planned, filled) {
        (Value::Unknown, filled) => filled,
        (Value::Map(mut pm), Value::Map(mut fm)) => {
            for (k, v) in pm.iter_mut() {
                if let Some(f) = fm.remove(k) {
                    *v = fill_unknown(std::mem::replace(v, Value::Null), f);
                }
            }
            Value::Map(pm)
        }
        (planned, _) => planned,
    }
}

/// The arguments an evaluated configuration (before conforming: every block type a list of
/// objects) sets, for [`plan_instance`]: top-level names (`image_id`), and inside blocks paths
/// with each block's position among its type's blocks
/// (`block_device_mappings.0.ebs.0.volume_size`). Null values are not set.
pub fn configured_paths(config: &Value) -> BTreeSet<String> {
    fn walk(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
        let Some(m) = v.unmarked().as_map() else {
            return;
        };
        for (k, v) in m {
            if v.is_null() {
                continue;
            }
            let path = format!("{prefix}{k}");
            if let Value::List(items) | Value::Set(items) = v.unmarked() {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{path}.{i}."), out);
                }
            }
            out.insert(path);
        }
    }
    let mut out = BTreeSet::new();
    walk(config, "", &mut out);
    out
}

/// `cfg`, the configuration's value of block type `b` (at `path`, e.g.
/// `block_device_mappings`), with what AWS computes taken from `prior` where the configuration
/// leaves it unset, at any depth: nested blocks AWS computes when the configuration writes none
/// (an Auto Scaling group provider's `managed_scaling`), and optional+computed attributes (a
/// launch template's `ebs.volume_size`). Blocks are paired by position; a set's only block with
/// the prior set's only block. An attribute is taken from the prior block only if the paired
/// blocks are the same otherwise ([`fits`]), so that a block inserted before others does not
/// inherit its neighbour's values, or if the block type has room for one block only. `fits` is `None` at the top, where it is worked out per
/// block; nested blocks inherit their top-level block's answer.
fn with_prior_computed(
    b: &BlockSchema,
    cfg: &Value,
    prior: &Value,
    path: &str,
    configured: &BTreeSet<String>,
    fits_above: Option<bool>,
) -> Value {
    let cfg_items = BlockSchema::items(cfg);
    let prior_items = BlockSchema::items(prior);
    let paired = |i: usize| match b.nesting {
        Nesting::Set if cfg_items.len() == 1 && prior_items.len() == 1 => prior_items.first(),
        Nesting::Set => None,
        _ => prior_items.get(i),
    };
    let merge = |i: usize, item: &Value, prior_item: Option<&Value>| {
        let (Some(m), Some(p)) = (item.as_map(), prior_item.and_then(Value::as_map)) else {
            return item.clone();
        };
        let at = format!("{path}.{i}");
        // The only block of its type is the same object whatever changed in it (an
        // instance's root volume): there is no neighbour whose values it could inherit.
        let fits = fits_above.unwrap_or_else(|| {
            b.max_items == 1 || fits(b, item, &Value::Map(p.clone()), &at, configured)
        });
        let mut m = m.clone();
        if fits {
            for a in b.attributes.iter().filter(|a| a.keeps_prior()) {
                let unset = matches!(m.get(a.name), Some(Value::Unknown))
                    && !configured.contains(&format!("{at}.{}", a.name));
                if unset {
                    m.insert(
                        a.name.to_string(),
                        p.get(a.name).cloned().unwrap_or(Value::Null),
                    );
                }
            }
        }
        for n in b.blocks {
            let (Some(c), Some(pv)) = (m.get(n.name), p.get(n.name)) else {
                continue;
            };
            let v = if n.computed && matches!(c, Value::Unknown) {
                pv.clone()
            } else if n.keeps_prior_inside() {
                let inner = format!("{at}.{}", n.name);
                with_prior_computed(n, c, pv, &inner, configured, Some(fits))
            } else {
                continue;
            };
            m.insert(n.name.to_string(), v);
        }
        Value::Map(m)
    };
    match cfg {
        Value::List(items) => Value::List(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| merge(i, item, paired(i)))
                .collect(),
        ),
        Value::Set(items) => Value::set(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| merge(i, item, paired(i)))
                .collect(),
        ),
        Value::Map(_) => merge(0, cfg, paired(0)),
        _ => cfg.clone(),
    }
}

/// True if block `item` (at `path`) is `prior` but for what the configuration leaves to AWS:
/// unset optional+computed attributes and unwritten computed blocks, at any depth.
fn fits(
    b: &BlockSchema,
    item: &Value,
    prior: &Value,
    path: &str,
    configured: &BTreeSet<String>,
) -> bool {
    let (Some(m), Some(p)) = (item.as_map(), prior.as_map()) else {
        return false;
    };
    let field = |m: &'_ BTreeMap<String, Value>, k: &str| m.get(k).cloned().unwrap_or(Value::Null);
    let attrs_fit = b.attributes.iter().all(|a| {
        let c = field(m, a.name);
        let unset = a.keeps_prior()
            && matches!(c, Value::Unknown)
            && !configured.contains(&format!("{path}.{}", a.name));
        unset || same(&c, &field(p, a.name))
    });
    attrs_fit
        && b.blocks.iter().all(|n| {
            let c = field(m, n.name);
            let pv = field(p, n.name);
            if n.computed && matches!(c, Value::Unknown) {
                return true;
            }
            let (ci, pi) = (BlockSchema::items(&c), BlockSchema::items(&pv));
            match n.nesting {
                Nesting::Set if ci.len() != 1 || pi.len() != 1 => same(&c, &pv),
                _ => {
                    ci.len() == pi.len()
                        && ci.iter().zip(pi).enumerate().all(|(i, (c, p))| {
                            fits(n, c, p, &format!("{path}.{}.{i}", n.name), configured)
                        })
                }
            }
        })
}

/// True if the blocks' attributes that force replacement (an Auto Scaling group provider's
/// group ARN), at any depth, differ between `new` and `old`: their projections onto those
/// attributes (and onto nested block types that force replacement as a whole) are compared as
/// sets, unknown counting as different.
fn replaced_inside(b: &BlockSchema, new: &Value, old: &Value) -> bool {
    if !b.has_force_new() {
        return false;
    }
    if matches!(new.unmarked(), Value::Unknown) {
        return true;
    }
    !same(&projection(b, new), &projection(b, old))
}

/// The parts of `v`, a value of block type `b`, whose change replaces the object.
fn projection(b: &BlockSchema, v: &Value) -> Value {
    if matches!(v.unmarked(), Value::Unknown) {
        return Value::Unknown;
    }
    let item = |item: &Value| {
        let field = |k: &str| {
            item.as_map()
                .and_then(|m| m.get(k))
                .cloned()
                .unwrap_or(Value::Null)
        };
        let attrs = b
            .attributes
            .iter()
            .filter(|a| a.force_new)
            .map(|a| (a.name, field(a.name)));
        let blocks = b.blocks.iter().filter(|n| n.has_force_new()).map(|n| {
            let inner = field(n.name);
            let inner = if n.force_new {
                inner
            } else {
                projection(n, &inner)
            };
            (n.name, inner)
        });
        Value::map(attrs.chain(blocks))
    };
    Value::set(BlockSchema::items(v).iter().map(item).collect())
}

/// Equality for planning: sensitive marks do not matter (`equals` ignores them); an unknown
/// never equals anything; an empty map or list and null mean the same to AWS (no tags, no
/// rules).
fn same(a: &Value, b: &Value) -> bool {
    if !a.is_wholly_known() || !b.is_wholly_known() {
        return false;
    }
    match (is_empty(a), is_empty(b)) {
        (true, true) => true,
        (false, false) => a.equals(b),
        _ => false,
    }
}

fn is_empty(v: &Value) -> bool {
    match v.unmarked() {
        Value::Null => true,
        Value::Map(m) => m.is_empty(),
        Value::List(l) | Value::Set(l) => l.is_empty(),
        _ => false,
    }
}

/// `tags_all` for `config`: the provider's default tags merged with the resource's own
/// `tags`; `None` for a type without `tags_all`, or whose tags ecsform does not implement yet
/// (`tags_all` untracked: always null, nothing is sent to AWS).
fn tags_all(
    schema: &Schema,
    config: &Value,
    default_tags: &BTreeMap<String, String>,
) -> Option<Value> {
    schema.attribute("tags_all").filter(|a| !a.untracked)?;
    let defaults = || -> BTreeMap<String, Value> {
        default_tags
            .iter()
            .map(|(k, v)| (k.clone(), Value::string(v.clone())))
            .collect()
    };
    let tags = config.as_map().and_then(|m| m.get("tags"));
    Some(match tags.map(Value::unmarked) {
        Some(Value::Unknown) => Value::Unknown,
        Some(Value::Map(own)) => {
            let mut all = defaults();
            all.extend(own.clone());
            Value::Map(all)
        }
        _ => Value::Map(defaults()),
    })
}

/// `config` with `tags_all` (from [`tags_all`]) set, if the type has it.
fn with_tags_all(config: &Value, tags_all: Option<Value>) -> Value {
    let Some(all) = tags_all else {
        return config.clone();
    };
    let mut m = config.as_map().cloned().unwrap_or_default();
    m.insert("tags_all".into(), all);
    Value::Map(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::attrs;
    use crate::provider::schema::Default;
    use crate::provider::AttrSchema;

    static SCHEMA: Schema = Schema {
        version: 1,
        attributes: attrs![
            computed String: id;
            required String: cidr_block.force_new();
            optional Bool: enable_dns_hostnames.default(Default::Bool(false));
            optional_computed String: availability_zone.force_new();
            optional StringMap: tags;
            computed StringMap: tags_all;
        ],
        blocks: &[],
    };

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::map(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())))
    }

    fn s(v: &str) -> Value {
        Value::string(v)
    }

    fn conformed(cidr: &str, dns: bool, tags: Value) -> Value {
        SCHEMA
            .conform(&obj(&[
                ("cidr_block", s(cidr)),
                ("enable_dns_hostnames", Value::Bool(dns)),
                ("tags", tags),
            ]))
            .unwrap()
    }

    #[test]
    fn a_types_new_computed_values_fill_only_what_is_unknown() {
        let planned = obj(&[
            ("id", Value::Unknown),
            ("name", s("a")),
            (
                "nested",
                obj(&[("known", s("k")), ("later", Value::Unknown)]),
            ),
        ]);
        let filled = obj(&[
            ("id", s("typed")),
            ("name", s("overwritten?")),
            ("nested", obj(&[("known", s("no")), ("later", s("yes"))])),
            ("extra", s("not in the schema")),
        ]);
        assert_eq!(
            fill_unknown(planned, filled),
            obj(&[
                ("id", s("typed")),
                ("name", s("a")),
                ("nested", obj(&[("known", s("k")), ("later", s("yes"))])),
            ])
        );
    }

    fn prior() -> Value {
        obj(&[
            ("id", s("vpc-1")),
            ("cidr_block", s("10.0.0.0/16")),
            ("enable_dns_hostnames", Value::Bool(false)),
            ("availability_zone", s("eu-west-1a")),
            ("tags", Value::map([("Name", s("a"))])),
            ("tags_all", Value::map([("Name", s("a")), ("Team", s("t"))])),
        ])
    }

    fn set() -> BTreeSet<String> {
        ["cidr_block", "enable_dns_hostnames", "tags"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    fn defaults() -> BTreeMap<String, String> {
        BTreeMap::from([("Team".to_string(), "t".to_string())])
    }

    #[test]
    fn default_tags_stay_out_of_a_type_whose_tags_are_not_implemented() {
        let mut attributes = SCHEMA.attributes.to_vec();
        for a in attributes.iter_mut().filter(|a| a.name.starts_with("tags")) {
            *a = a.unsupported();
            a.untracked = true;
        }
        let untagged = Schema {
            version: 1,
            attributes: Box::leak(attributes.into_boxed_slice()),
            blocks: &[],
        };
        let config = untagged
            .conform(&obj(&[("cidr_block", s("10.0.0.0/16"))]))
            .unwrap();
        let mut recorded = prior().as_map().cloned().unwrap();
        recorded.insert("tags".into(), Value::Null);
        recorded.insert("tags_all".into(), Value::Null);
        let p = plan_instance(
            &untagged,
            &config,
            &BTreeSet::from(["cidr_block".to_string()]),
            Some(&Value::Map(recorded)),
            &Lifecycle::default(),
            &defaults(),
        );
        assert_eq!(p.action, Action::NoOp);
        assert_eq!(p.after.as_map().unwrap()["tags_all"], Value::Null);
    }

    #[test]
    fn create_when_there_is_no_prior_object() {
        let p = plan_instance(
            &SCHEMA,
            &conformed("10.0.0.0/16", false, Value::Null),
            &set(),
            None,
            &Lifecycle::default(),
            &defaults(),
        );
        assert_eq!(p.action, Action::Create);
        let after = p.after.as_map().unwrap();
        assert_eq!(after["id"], Value::Unknown);
        assert_eq!(after["tags_all"], Value::map([("Team", s("t"))]));
    }

    #[test]
    fn unchanged_configuration_is_a_no_op_keeping_computed_values() {
        let p = plan_instance(
            &SCHEMA,
            &conformed("10.0.0.0/16", false, Value::map([("Name", s("a"))])),
            &set(),
            Some(&prior()),
            &Lifecycle::default(),
            &defaults(),
        );
        assert_eq!(p.action, Action::NoOp, "{p:?}");
        assert_eq!(p.after.as_map().unwrap()["id"], s("vpc-1"));
        assert_eq!(
            p.after.as_map().unwrap()["availability_zone"],
            s("eu-west-1a")
        );
    }

    #[test]
    fn tag_change_updates_in_place() {
        let p = plan_instance(
            &SCHEMA,
            &conformed("10.0.0.0/16", false, Value::map([("Name", s("b"))])),
            &set(),
            Some(&prior()),
            &Lifecycle::default(),
            &defaults(),
        );
        assert_eq!(p.action, Action::Update);
        assert!(p.replace_paths.is_empty());
    }

    #[test]
    fn force_new_change_replaces_and_forgets_computed_values() {
        let p = plan_instance(
            &SCHEMA,
            &conformed("10.1.0.0/16", true, Value::map([("Name", s("a"))])),
            &set(),
            Some(&prior()),
            &Lifecycle::default(),
            &defaults(),
        );
        assert_eq!(p.action, Action::DeleteThenCreate);
        assert_eq!(p.replace_paths, ["cidr_block"]);
        assert_eq!(p.after.as_map().unwrap()["id"], Value::Unknown);
        let cbd = Lifecycle {
            create_before_destroy: true,
            ..Lifecycle::default()
        };
        let p = plan_instance(
            &SCHEMA,
            &conformed("10.1.0.0/16", false, Value::map([("Name", s("a"))])),
            &set(),
            Some(&prior()),
            &cbd,
            &defaults(),
        );
        assert_eq!(p.action, Action::CreateThenDelete);
    }

    #[test]
    fn attributes_that_change_on_update_are_unknown_in_updates_only() {
        static VERSIONED: Schema = Schema {
            version: 1,
            attributes: attrs![
                computed String: id;
                optional String: instance_type;
                computed Number: latest_version.changes_on_update();
            ],
            blocks: &[],
        };
        let prior = obj(&[
            ("id", s("lt-1")),
            ("instance_type", s("t3.small")),
            ("latest_version", Value::number(1)),
        ]);
        let set: BTreeSet<String> = ["instance_type".to_string()].into();
        let same = VERSIONED
            .conform(&obj(&[("instance_type", s("t3.small"))]))
            .unwrap();
        let p = plan_instance(
            &VERSIONED,
            &same,
            &set,
            Some(&prior),
            &Lifecycle::default(),
            &BTreeMap::new(),
        );
        assert_eq!(p.action, Action::NoOp);
        assert_eq!(
            p.after.as_map().unwrap()["latest_version"],
            Value::number(1)
        );
        let bigger = VERSIONED
            .conform(&obj(&[("instance_type", s("m5.large"))]))
            .unwrap();
        let p = plan_instance(
            &VERSIONED,
            &bigger,
            &set,
            Some(&prior),
            &Lifecycle::default(),
            &BTreeMap::new(),
        );
        assert_eq!(p.action, Action::Update);
        assert_eq!(p.after.as_map().unwrap()["latest_version"], Value::Unknown);
    }

    #[test]
    fn ignore_changes_keeps_the_prior_value() {
        let lc = Lifecycle {
            ignore_changes: vec!["tags".into()],
            ..Lifecycle::default()
        };
        let p = plan_instance(
            &SCHEMA,
            &conformed("10.0.0.0/16", false, Value::map([("Name", s("zzz"))])),
            &set(),
            Some(&prior()),
            &lc,
            &defaults(),
        );
        assert_eq!(p.action, Action::NoOp, "{p:?}");
        assert_eq!(
            p.after.as_map().unwrap()["tags"],
            Value::map([("Name", s("a"))])
        );
    }

    #[test]
    fn force_new_attribute_inside_a_block_replaces() {
        static PROVIDER: &[AttrSchema] = attrs![
            required String: group_arn.force_new();
            optional Number: target;
        ];
        static WITH_BLOCK: Schema = Schema {
            version: 1,
            attributes: attrs![
                computed String: id;
            ],
            blocks: &[BlockSchema::list("provider", PROVIDER)],
        };
        let block = |arn: &str, target: i32| {
            WITH_BLOCK
                .conform(&obj(&[(
                    "provider",
                    Value::List(vec![obj(&[
                        ("group_arn", s(arn)),
                        ("target", Value::number(target)),
                    ])]),
                )]))
                .unwrap()
        };
        let mut prior = block("a", 100);
        if let Value::Map(m) = &mut prior {
            m.insert("id".into(), s("cp-1"));
        }
        let plan = |config: &Value| {
            plan_instance(
                &WITH_BLOCK,
                config,
                &set(),
                Some(&prior),
                &Lifecycle::default(),
                &BTreeMap::new(),
            )
        };
        assert_eq!(plan(&block("a", 90)).action, Action::Update);
        let p = plan(&block("b", 100));
        assert_eq!(p.action, Action::DeleteThenCreate);
        assert_eq!(p.replace_paths, ["provider"]);
    }

    #[test]
    fn a_nested_block_attribute_that_forces_replacement_replaces() {
        static SCALING: &[AttrSchema] = attrs![
            optional String: mode.force_new();
            optional Number: target;
        ];
        static WITH_NESTED: Schema = Schema {
            version: 1,
            attributes: attrs![
                computed String: id;
            ],
            blocks: &[BlockSchema::list("provider", &[])
                .max_items(1)
                .blocks(&[BlockSchema::list("scaling", SCALING).max_items(1)])],
        };
        let config = |mode: &str, target: i32| {
            WITH_NESTED
                .conform(&obj(&[(
                    "provider",
                    Value::List(vec![obj(&[(
                        "scaling",
                        Value::List(vec![obj(&[
                            ("mode", s(mode)),
                            ("target", Value::number(target)),
                        ])]),
                    )])]),
                )]))
                .unwrap()
        };
        let mut prior = config("a", 100);
        if let Value::Map(m) = &mut prior {
            m.insert("id".into(), s("cp-1"));
        }
        let plan = |config: &Value| {
            plan_instance(
                &WITH_NESTED,
                config,
                &set(),
                Some(&prior),
                &Lifecycle::default(),
                &BTreeMap::new(),
            )
        };
        assert_eq!(plan(&config("a", 100)).action, Action::NoOp);
        assert_eq!(plan(&config("a", 90)).action, Action::Update);
        let p = plan(&config("b", 100));
        assert_eq!(p.action, Action::DeleteThenCreate);
        assert_eq!(p.replace_paths, ["provider"]);
    }

    #[test]
    fn force_new_if_replaces_only_when_its_flag_is_set() {
        static DATA: Schema = Schema {
            version: 1,
            attributes: attrs![
                computed String: id;
                optional String: data.force_new_if("replace");
                optional Bool: replace.default(Default::Bool(false));
            ],
            blocks: &[],
        };
        let prior = obj(&[
            ("id", s("i-1")),
            ("data", s("one")),
            ("replace", Value::Bool(false)),
        ]);
        let plan = |replace: bool| {
            let config = DATA
                .conform(&obj(&[
                    ("data", s("two")),
                    ("replace", Value::Bool(replace)),
                ]))
                .unwrap();
            plan_instance(
                &DATA,
                &config,
                &["data", "replace"].iter().map(|s| s.to_string()).collect(),
                Some(&prior),
                &Lifecycle::default(),
                &BTreeMap::new(),
            )
        };
        assert_eq!(plan(false).action, Action::Update);
        let p = plan(true);
        assert_eq!(p.action, Action::DeleteThenCreate);
        assert_eq!(p.replace_paths, ["data"]);
    }

    #[test]
    fn force_new_when_set_or_unset_replaces_only_a_change_of_presence() {
        static RULE: Schema = Schema {
            version: 0,
            attributes: attrs![
                computed String: id;
                optional String: cidr.force_new_when_set_or_unset() group.force_new_when_set_or_unset();
            ],
            blocks: &[],
        };
        let prior = obj(&[("id", s("sgr-1")), ("cidr", s("10.0.0.0/8"))]);
        let plan = |pairs: &[(&str, Value)]| {
            let config = RULE.conform(&obj(pairs)).unwrap();
            let configured = pairs.iter().map(|(k, _)| k.to_string()).collect();
            plan_instance(
                &RULE,
                &config,
                &configured,
                Some(&prior),
                &Lifecycle::default(),
                &BTreeMap::new(),
            )
        };
        assert_eq!(plan(&[("cidr", s("10.1.0.0/16"))]).action, Action::Update);
        let p = plan(&[("group", s("sg-2"))]);
        assert_eq!(p.action, Action::DeleteThenCreate);
        assert_eq!(p.replace_paths, ["cidr", "group"]);
        // Unknown is set: the source stays a CIDR block.
        assert_eq!(plan(&[("cidr", Value::Unknown)]).action, Action::Update);
    }

    #[test]
    fn the_only_block_of_its_type_keeps_what_aws_computes_when_it_changes() {
        static VOLUME: &[AttrSchema] = attrs![
            computed String: volume_id;
            optional_computed Bool: encrypted.force_new();
            optional_computed Number: size;
        ];
        static ROOT: Schema = Schema {
            version: 1,
            attributes: attrs![
                computed String: id;
            ],
            blocks: &[BlockSchema::list("root", VOLUME).max_items(1)],
        };
        let prior = obj(&[
            ("id", s("i-1")),
            (
                "root",
                Value::List(vec![obj(&[
                    ("volume_id", s("vol-1")),
                    ("encrypted", Value::Bool(false)),
                    ("size", Value::number(10)),
                ])]),
            ),
        ]);
        let config = ROOT
            .conform(&obj(&[(
                "root",
                Value::List(vec![obj(&[("size", Value::number(20))])]),
            )]))
            .unwrap();
        let configured = configured_paths(&obj(&[(
            "root",
            Value::List(vec![obj(&[("size", Value::number(20))])]),
        )]));
        let p = plan_instance(
            &ROOT,
            &config,
            &configured,
            Some(&prior),
            &Lifecycle::default(),
            &BTreeMap::new(),
        );
        // A bigger volume is the same volume: its id and encryption carry over, no replacement.
        assert_eq!(p.action, Action::Update, "{:?}", p.replace_paths);
        let root = &p.after.as_map().unwrap()["root"].as_list().unwrap()[0];
        assert_eq!(root.as_map().unwrap()["volume_id"], s("vol-1"));
        assert_eq!(root.as_map().unwrap()["encrypted"], Value::Bool(false));
    }

    #[test]
    fn unknown_force_new_argument_forces_replacement() {
        let mut c = conformed("10.0.0.0/16", false, Value::map([("Name", s("a"))]));
        if let Value::Map(m) = &mut c {
            m.insert("cidr_block".into(), Value::Unknown);
        }
        let p = plan_instance(
            &SCHEMA,
            &c,
            &set(),
            Some(&prior()),
            &Lifecycle::default(),
            &defaults(),
        );
        assert_eq!(p.action, Action::DeleteThenCreate);
    }

    #[test]
    fn unset_optional_computed_attributes_inside_blocks_keep_what_aws_has() {
        static EBS: &[AttrSchema] = attrs![
            optional String: encrypted;
            optional_computed Number: volume_size;
        ];
        static DEVICES: Schema = Schema {
            version: 1,
            attributes: attrs![
                computed String: id;
            ],
            blocks: &[BlockSchema::list(
                "device",
                attrs![
                    optional String: device_name;
                ],
            )
            .blocks(&[BlockSchema::list("ebs", EBS).max_items(1)])],
        };
        let device = |name: &str, ebs: Value| {
            obj(&[("device_name", s(name)), ("ebs", Value::List(vec![ebs]))])
        };
        let config = |devices: Vec<Value>| obj(&[("device", Value::List(devices))]);
        let prior = DEVICES.decode(&obj(&[
            ("id", s("lt-1")),
            (
                "device",
                Value::List(vec![device(
                    "/dev/xvda",
                    obj(&[("encrypted", s("true")), ("volume_size", Value::number(8))]),
                )]),
            ),
        ]));
        let plan = |config: &Value| {
            plan_instance(
                &DEVICES,
                &DEVICES.conform(config).unwrap(),
                &configured_paths(config),
                Some(&prior),
                &Lifecycle::default(),
                &BTreeMap::new(),
            )
        };
        let size = |p: &InstancePlan, i: usize| {
            let d = &p.after.as_map().unwrap()["device"].as_list().unwrap()[i];
            d.as_map().unwrap()["ebs"].as_list().unwrap()[0]
                .as_map()
                .unwrap()["volume_size"]
                .clone()
        };
        // Unset: what AWS has.
        let unset = config(vec![device("/dev/xvda", obj(&[("encrypted", s("true"))]))]);
        let p = plan(&unset);
        assert_eq!(p.action, Action::NoOp);
        assert_eq!(size(&p, 0), Value::number(8));
        // Set: the configuration's value.
        let set = config(vec![device(
            "/dev/xvda",
            obj(&[("encrypted", s("true")), ("volume_size", Value::number(30))]),
        )]);
        assert_eq!(size(&plan(&set), 0), Value::number(30));
        // Set to a value known only after apply: unknown, not the prior value.
        let unknown = config(vec![device(
            "/dev/xvda",
            obj(&[("encrypted", s("true")), ("volume_size", Value::Unknown)]),
        )]);
        let p = plan(&unknown);
        assert_eq!(p.action, Action::Update);
        assert_eq!(size(&p, 0), Value::Unknown);
        // A device written before the old one does not inherit the old one's size; the old
        // one, now second, is not paired with its prior self either (blocks pair by position).
        let inserted = config(vec![
            device("/dev/sdb", obj(&[("encrypted", s("true"))])),
            device("/dev/xvda", obj(&[("encrypted", s("true"))])),
        ]);
        let p = plan(&inserted);
        assert_eq!(p.action, Action::Update);
        assert_eq!(size(&p, 0), Value::Unknown);
        assert_eq!(size(&p, 1), Value::Unknown);
        // Another change in the same block: AWS decides the size again.
        let changed = config(vec![device("/dev/xvda", obj(&[("encrypted", s("false"))]))]);
        assert_eq!(size(&plan(&changed), 0), Value::Unknown);
    }
}
