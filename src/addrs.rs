//! Typed addresses of module and resource instances, printed exactly as Terraform prints them:
//! `module.ecs.module.network.aws_subnet.subnet[0]`, `aws_iam_role.this["web"]`. Addresses
//! typed on the command line to name part of the state are in `pattern`, `state mv` planning in
//! `moves`.

pub mod moves;
pub mod pattern;

pub use pattern::AddrPattern;

use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A managed resource (`resource`) or a data source (`data`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Managed,
    Data,
}

/// `(mode, type, name)`: how a resource block is identified inside its module.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceKey {
    pub mode: Mode,
    pub type_name: String,
    pub name: String,
}

impl std::fmt::Display for ResourceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.mode {
            Mode::Managed => write!(f, "{}.{}", self.type_name, self.name),
            Mode::Data => write!(f, "data.{}.{}", self.type_name, self.name),
        }
    }
}

/// The key of one instance of a counted (`[0]`) or `for_each` (`["web"]`) block.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InstanceKey {
    Int(usize),
    Str(String),
}

impl fmt::Display for InstanceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceKey::Int(i) => write!(f, "[{i}]"),
            InstanceKey::Str(s) => write!(f, "[{}]", serde_json::Value::String(s.clone())),
        }
    }
}

/// One instance of a module: each step is a module call name and, for counted or `for_each`
/// calls, the instance key. Empty for the root module.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleInstance(pub Vec<(String, Option<InstanceKey>)>);

impl ModuleInstance {
    pub fn root() -> ModuleInstance {
        ModuleInstance(Vec::new())
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    pub fn child(&self, name: &str, key: Option<InstanceKey>) -> ModuleInstance {
        let mut steps = self.0.clone();
        steps.push((name.to_string(), key));
        ModuleInstance(steps)
    }

    pub fn parent(&self) -> Option<(ModuleInstance, &(String, Option<InstanceKey>))> {
        let (last, rest) = self.0.split_last()?;
        Some((ModuleInstance(rest.to_vec()), last))
    }

    /// The module path without instance keys (which module in the configuration this is).
    pub fn path(&self) -> Vec<String> {
        self.0.iter().map(|(n, _)| n.clone()).collect()
    }
}

impl fmt::Display for ModuleInstance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (name, key)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "module.{name}")?;
            if let Some(k) = key {
                write!(f, "{k}")?;
            }
        }
        Ok(())
    }
}

/// The address of one resource (or data source) instance.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceInstanceAddr {
    pub module: ModuleInstance,
    pub resource: ResourceKey,
    pub key: Option<InstanceKey>,
}

impl ResourceInstanceAddr {
    pub fn is_data(&self) -> bool {
        self.resource.mode == Mode::Data
    }

    /// Parses an address as printed (`module.a["k"].aws_x.y[0]`, `data.aws_region.current`).
    pub fn parse(s: &str) -> Option<ResourceInstanceAddr> {
        let mut rest = s;
        let mut module = Vec::new();
        while let Some(r) = rest.strip_prefix("module.") {
            let (name, r) = take_name(r)?;
            let (key, r) = take_key(r)?;
            module.push((name, key));
            rest = r.strip_prefix('.')?;
        }
        let (mode, r) = match rest.strip_prefix("data.") {
            Some(r) => (Mode::Data, r),
            None => (Mode::Managed, rest),
        };
        let (type_name, r) = take_name(r)?;
        let (name, r) = take_name(r.strip_prefix('.')?)?;
        let (key, r) = take_key(r)?;
        if !r.is_empty() {
            return None;
        }
        Some(ResourceInstanceAddr {
            module: ModuleInstance(module),
            resource: ResourceKey {
                mode,
                type_name,
                name,
            },
            key,
        })
    }
}

fn take_name(s: &str) -> Option<(String, &str)> {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(s.len());
    (end > 0).then(|| (s[..end].to_string(), &s[end..]))
}

/// An optional `[0]` or `["key"]` (JSON string syntax).
fn take_key(s: &str) -> Option<(Option<InstanceKey>, &str)> {
    let Some(r) = s.strip_prefix('[') else {
        return Some((None, s));
    };
    if r.starts_with('"') {
        let mut de = serde_json::Deserializer::from_str(r).into_iter::<String>();
        let key = de.next()?.ok()?;
        let r = r[de.byte_offset()..].strip_prefix(']')?;
        Some((Some(InstanceKey::Str(key)), r))
    } else {
        let end = r.find(']')?;
        let i = r[..end].parse().ok()?;
        Some((Some(InstanceKey::Int(i)), &r[end + 1..]))
    }
}

impl fmt::Display for ResourceInstanceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.module.is_root() {
            write!(f, "{}.", self.module)?;
        }
        write!(f, "{}", self.resource)?;
        if let Some(k) = &self.key {
            write!(f, "{k}")?;
        }
        Ok(())
    }
}

/// An address is saved (in plan files) as printed.
impl Serialize for ResourceInstanceAddr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Reads an address as printed; other text is an error that quotes it.
impl<'de> Deserialize<'de> for ResourceInstanceAddr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ResourceInstanceAddr::parse(&s)
            .ok_or_else(|| D::Error::custom(format!("invalid address \"{s}\"")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_print_like_terraform() {
        let m = ModuleInstance::root()
            .child("ecs", None)
            .child("network", Some(InstanceKey::Int(1)));
        let a = ResourceInstanceAddr {
            module: m,
            resource: ResourceKey {
                mode: Mode::Managed,
                type_name: "aws_subnet".into(),
                name: "subnet".into(),
            },
            key: Some(InstanceKey::Int(0)),
        };
        assert_eq!(
            a.to_string(),
            "module.ecs.module.network[1].aws_subnet.subnet[0]"
        );
        let b = ResourceInstanceAddr {
            module: ModuleInstance::root(),
            resource: ResourceKey {
                mode: Mode::Data,
                type_name: "aws_iam_role".into(),
                name: "this".into(),
            },
            key: Some(InstanceKey::Str("web".into())),
        };
        assert_eq!(b.to_string(), "data.aws_iam_role.this[\"web\"]");
        for addr in [&a, &b] {
            assert_eq!(
                ResourceInstanceAddr::parse(&addr.to_string()).as_ref(),
                Some(addr)
            );
        }
        let odd = "module.x[\"a.b]\\\"c\"].aws_vpc.v";
        assert_eq!(ResourceInstanceAddr::parse(odd).unwrap().to_string(), odd);
        assert!(ResourceInstanceAddr::parse("aws_vpc").is_none());
        let pat = |s: &str| AddrPattern::parse(s).unwrap();
        assert!(pat("module.ecs").matches(&a));
        assert!(pat("module.ecs.module.network").matches(&a));
        assert!(pat("module.ecs.module.network[1].aws_subnet.subnet").matches(&a));
        assert!(pat("module.ecs.module.network[1].aws_subnet.subnet[0]").matches(&a));
        assert!(!pat("module.ecs.module.network[2]").matches(&a));
        assert!(!pat("module.ecs.aws_subnet.subnet").matches(&a));
        assert!(!pat("aws_subnet.subnet").matches(&a));
        assert!(pat("data.aws_iam_role.this").matches(&b));
        assert!(!pat("aws_iam_role.this").matches(&b));
        assert_eq!(
            pat("module.x[\"k\"].aws_vpc.v[3]").to_string(),
            "module.x[\"k\"].aws_vpc.v[3]"
        );
        assert_eq!(pat("module.x").to_string(), "module.x");
        assert!(AddrPattern::parse("module.").is_err());
        assert!(AddrPattern::parse("module.a.").is_err());
        assert!(ResourceInstanceAddr::parse("aws_vpc.v[").is_none());
    }
}
