//! Adoption: finding again an object whose create call may have succeeded although ecsform
//! never recorded its id — the apply was killed while the call ran, or between the call's
//! answer and the state write, or the create failed half way.
//!
//! Apply writes an *intent row* before each create (status `creating`, no id, the arguments
//! it is about to send); the next plan asks the resource type to look for what such a create
//! leaves behind ([`ResourceType::find_created`](super::ResourceType::find_created)) and
//! adopts it instead of creating a second one. Each type says how it can be found
//! ([`Adoption`]), and a test lists every registered type with its strategy, so that no type
//! is added without deciding.
//!
//! This module holds the vocabulary and the decision between candidates; the lookups live in
//! each type's file, the EC2 tag filter they share in `aws::adopt`.

use std::collections::BTreeMap;

use crate::lang::Value;

/// The tag holding the instance address of the object (`module.vpc.aws_subnet.private[0]`).
pub const ADDRESS_TAG: &str = "ecsform:address";
/// The tag holding the lineage of the state that created the object.
pub const LINEAGE_TAG: &str = "ecsform:lineage";

/// How a resource type finds an object created by an interrupted apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adoption {
    /// AWS generates the id; the object is found by its `ecsform:address` and
    /// `ecsform:lineage` tags (an EC2 tag filter, or the service's tag call).
    Tags,
    /// The object has a unique name from the configuration (or pinned before the call, see
    /// [`ResourceType::pin_generated`](super::ResourceType::pin_generated)); it is read by
    /// that name, and its `ecsform:lineage` tag tells ours from an object of the same name
    /// that someone else made (which is not adopted).
    NameAndTags,
    /// As [`Adoption::NameAndTags`], but the type has no tags: an object with that name is
    /// taken as ours.
    Name,
    /// The id follows from the arguments (a route: its table and destination); the object is
    /// read by that id. Such objects cannot exist twice, so a create never duplicates them.
    Arguments,
    /// Nothing exists in AWS (`null_resource`): there is nothing to find, and no intent row.
    NotInAws,
    /// The object cannot be found again; the text says why (docs/state.md, residual risks).
    Unfindable(&'static str),
}

impl Adoption {
    /// A short description for the table in docs/state.md and messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Adoption::Tags => "by its `ecsform:address` and `ecsform:lineage` tags",
            Adoption::NameAndTags => "by its name, checked against its `ecsform:lineage` tag",
            Adoption::Name => "by its name (no tags to check)",
            Adoption::Arguments => "by the id its arguments give",
            Adoption::NotInAws => "nothing in AWS",
            Adoption::Unfindable(why) => why,
        }
    }

    /// The strategy's short name, as the table in docs/state.md shows it.
    pub fn name(&self) -> &'static str {
        match self {
            Adoption::Tags => "tags",
            Adoption::NameAndTags => "name + lineage tag",
            Adoption::Name => "name",
            Adoption::Arguments => "arguments",
            Adoption::NotInAws => "nothing in AWS",
            Adoption::Unfindable(_) => "cannot be found",
        }
    }

    /// Whether apply writes an intent row before creating objects of this type.
    pub fn wants_intent(&self) -> bool {
        !matches!(self, Adoption::NotInAws)
    }
}

/// Whose object is being looked for: the instance address and the state's lineage.
#[derive(Clone, Copy, Debug)]
pub struct Owner<'a> {
    pub address: &'a str,
    pub lineage: &'a str,
}

/// Something [`ResourceType::find_created`](super::ResourceType::find_created) found.
#[derive(Clone, Debug, PartialEq)]
pub enum Candidate {
    /// An object that carries this instance's tags (or, for a type without tags, has the name
    /// or arguments it was created with): its state as `read_many` reads it.
    Ours(Value),
    /// An object with the instance's name or id that is not this instance's: `why` says whose.
    Foreign { id: String, why: String },
}

impl Owner<'_> {
    /// Judges an object by all its tags (ecsform's own included): ours when both ecsform tags
    /// match. `state` is what to adopt when it is ours.
    pub fn judge(&self, id: &str, tags: &BTreeMap<String, String>, state: Value) -> Candidate {
        let address = tags.get(ADDRESS_TAG).map(String::as_str);
        let lineage = tags.get(LINEAGE_TAG).map(String::as_str);
        if address == Some(self.address) && lineage == Some(self.lineage) {
            return Candidate::Ours(state);
        }
        let why = match (address, lineage) {
            (None, _) | (_, None) => "it was not created by ecsform".to_string(),
            (Some(a), Some(l)) if l != self.lineage => {
                format!("it was created as {a} by another ecsform state (lineage {l})")
            }
            (Some(a), _) => format!("it belongs to {a} of this state"),
        };
        Candidate::Foreign {
            id: id.to_string(),
            why,
        }
    }
}

/// What to do about an intent row, from what the lookup found.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolution {
    /// Exactly one object of ours: adopt it.
    Adopt(Value),
    /// Nothing of ours; `foreign` lists objects with the same name that are someone else's
    /// (id, why), which are left alone.
    Nothing { foreign: Vec<(String, String)> },
}

/// Decides between candidates. `exclude` is an id that is known and recorded (the object a
/// create-before-destroy replacement replaces). More than one object of ours is an error
/// listing their ids: ecsform cannot tell which one the state should keep.
pub fn resolve(
    candidates: Vec<Candidate>,
    exclude: Option<&str>,
) -> Result<Resolution, Vec<String>> {
    let mut ours = Vec::new();
    let mut foreign = Vec::new();
    for c in candidates {
        match c {
            Candidate::Ours(v) => {
                let id = state_id(&v);
                if id.is_some() && id.as_deref() == exclude {
                    continue;
                }
                if ours.iter().all(|o| state_id(o) != id || id.is_none()) {
                    ours.push(v);
                }
            }
            Candidate::Foreign { id, why } => foreign.push((id, why)),
        }
    }
    match ours.len() {
        0 => Ok(Resolution::Nothing { foreign }),
        1 => Ok(Resolution::Adopt(ours.remove(0))),
        _ => Err(ours
            .iter()
            .map(|o| state_id(o).unwrap_or_else(|| "(no id)".into()))
            .collect()),
    }
}

/// The `id` attribute of a state object.
pub fn state_id(v: &Value) -> Option<String> {
    v.as_map()?.get("id")?.as_str().map(String::from)
}

/// Sets `name` to a unique name made from the argument `prefix_attr` (if the type has one and
/// it is set, else `default_prefix`) when the configuration gives no name, as the type's create
/// would; for [`ResourceType::pin_generated`](super::ResourceType::pin_generated).
pub fn pin_name(
    mut planned: Value,
    name: &str,
    prefix_attr: Option<&str>,
    default_prefix: &str,
) -> Value {
    let Value::Map(m) = &mut planned else {
        return planned;
    };
    if m.get(name).and_then(Value::as_str).is_some() {
        return planned;
    }
    let prefix = prefix_attr
        .and_then(|p| m.get(p))
        .and_then(Value::as_str)
        .unwrap_or(default_prefix)
        .to_string();
    m.insert(
        name.to_string(),
        Value::string(crate::aws::resources::unique_name(&prefix)),
    );
    planned
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(id: &str) -> Value {
        Value::map([("id", Value::string(id))])
    }

    fn tags(address: &str, lineage: &str) -> BTreeMap<String, String> {
        BTreeMap::from([
            (ADDRESS_TAG.to_string(), address.to_string()),
            (LINEAGE_TAG.to_string(), lineage.to_string()),
            ("Name".to_string(), "x".to_string()),
        ])
    }

    #[test]
    fn only_both_tags_make_an_object_ours() {
        let owner = Owner {
            address: "aws_vpc.main",
            lineage: "L1",
        };
        assert_eq!(
            owner.judge("vpc-1", &tags("aws_vpc.main", "L1"), obj("vpc-1")),
            Candidate::Ours(obj("vpc-1"))
        );
        let why = |t: &BTreeMap<String, String>| match owner.judge("vpc-2", t, obj("vpc-2")) {
            Candidate::Foreign { why, .. } => why,
            c => panic!("{c:?}"),
        };
        assert_eq!(
            why(&tags("aws_vpc.main", "L2")),
            "it was created as aws_vpc.main by another ecsform state (lineage L2)"
        );
        assert_eq!(
            why(&tags("aws_vpc.other", "L1")),
            "it belongs to aws_vpc.other of this state"
        );
        assert_eq!(why(&BTreeMap::new()), "it was not created by ecsform");
    }

    #[test]
    fn one_object_of_ours_is_adopted_several_are_an_error() {
        let foreign = Candidate::Foreign {
            id: "x".into(),
            why: "w".into(),
        };
        assert_eq!(
            resolve(vec![Candidate::Ours(obj("a")), foreign.clone()], None),
            Ok(Resolution::Adopt(obj("a")))
        );
        assert_eq!(
            resolve(vec![foreign], None),
            Ok(Resolution::Nothing {
                foreign: vec![("x".into(), "w".into())]
            })
        );
        assert_eq!(
            resolve(
                vec![Candidate::Ours(obj("a")), Candidate::Ours(obj("b"))],
                None
            ),
            Err(vec!["a".to_string(), "b".to_string()])
        );
        // The object a replacement replaces is not its replacement; the same object found
        // twice is one.
        assert_eq!(
            resolve(
                vec![
                    Candidate::Ours(obj("old")),
                    Candidate::Ours(obj("new")),
                    Candidate::Ours(obj("new"))
                ],
                Some("old")
            ),
            Ok(Resolution::Adopt(obj("new")))
        );
    }

    #[test]
    fn pinned_names_keep_a_configured_name_and_use_the_prefix() {
        let planned = Value::map([
            ("name", Value::Null),
            ("name_prefix", Value::string("web-")),
        ]);
        let pinned = pin_name(planned, "name", Some("name_prefix"), "tf-");
        let name = pinned.as_map().unwrap()["name"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(name.starts_with("web-") && name.len() == 4 + 26, "{name}");
        let again = pin_name(pinned.clone(), "name", Some("name_prefix"), "tf-");
        assert_eq!(again, pinned, "an already pinned name stays");
        let unnamed = pin_name(
            Value::map([("name", Value::Null)]),
            "name",
            Some("name_prefix"),
            "tf-",
        );
        assert!(unnamed.as_map().unwrap()["name"]
            .as_str()
            .unwrap()
            .starts_with("tf-"));
    }
}
