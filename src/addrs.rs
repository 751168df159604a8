//! Typed addresses of module and resource instances, printed exactly as Terraform prints them:
//! `module.ecs.module.network.aws_subnet.subnet[0]`, `aws_iam_role.this["web"]`.

use std::fmt;

use crate::config::{Mode, ResourceKey};

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
    }
}
