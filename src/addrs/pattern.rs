//! Addresses as people type them on the command line to name a part of the state: a module
//! instance (`module.vpc`, `module.vpc["a"].module.net`), a resource (`aws_subnet.private`,
//! every instance of it) or one instance (`aws_subnet.private[0]`); and the order Terraform
//! lists instances in. `state list`, `state show`, `state rm` and `state mv` use them.
//!
//! It knows nothing of the state: callers pass the addresses they have.

use std::cmp::Ordering;
use std::fmt;

use super::{take_key, take_name, InstanceKey, ModuleInstance, ResourceInstanceAddr};
use crate::addrs::{Mode, ResourceKey};

/// A module instance, a resource or a resource instance, as typed by a user.
///
/// A module step without a key (`module.vpc`) stands for every instance of that module call,
/// and a resource without a key (`aws_subnet.private`) for every instance of that resource,
/// as in Terraform's `state list` and `-target`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddrPattern {
    /// The module steps, outermost first; empty for the root module.
    pub module: Vec<(String, Option<InstanceKey>)>,
    /// The resource the pattern names, if any, with the instance key if it names one instance.
    pub resource: Option<(ResourceKey, Option<InstanceKey>)>,
}

impl AddrPattern {
    /// Parses `module.a["k"].module.b`, `module.a.aws_x.y`, `aws_x.y[0]`, `data.aws_region.r`.
    /// The error says what was expected.
    pub fn parse(s: &str) -> Result<AddrPattern, String> {
        let invalid = || {
            format!(
                "\"{s}\" is not a valid address: expected a module (module.NAME), a resource \
                 (TYPE.NAME) or a resource instance (TYPE.NAME[0] or TYPE.NAME[\"key\"]), \
                 optionally inside modules (module.NAME.TYPE.NAME)"
            )
        };
        let mut rest = s;
        let mut module = Vec::new();
        while let Some(r) = rest.strip_prefix("module.") {
            let (name, r) = take_name(r).ok_or_else(invalid)?;
            let (key, r) = take_key(r).ok_or_else(invalid)?;
            module.push((name, key));
            if r.is_empty() {
                return Ok(AddrPattern {
                    module,
                    resource: None,
                });
            }
            rest = r.strip_prefix('.').ok_or_else(invalid)?;
        }
        let (mode, r) = match rest.strip_prefix("data.") {
            Some(r) => (Mode::Data, r),
            None => (Mode::Managed, rest),
        };
        let (type_name, r) = take_name(r).ok_or_else(invalid)?;
        let (name, r) = take_name(r.strip_prefix('.').ok_or_else(invalid)?).ok_or_else(invalid)?;
        let (key, r) = take_key(r).ok_or_else(invalid)?;
        if !r.is_empty() {
            return Err(invalid());
        }
        Ok(AddrPattern {
            module,
            resource: Some((
                ResourceKey {
                    mode,
                    type_name,
                    name,
                },
                key,
            )),
        })
    }

    /// True if the pattern names a module (no resource).
    pub fn is_module(&self) -> bool {
        self.resource.is_none()
    }

    /// The module instance the pattern's steps spell, keyless steps as keyless.
    pub fn module_instance(&self) -> ModuleInstance {
        ModuleInstance(self.module.clone())
    }

    /// The instance address the pattern spells literally, if it names a resource: for
    /// `aws_x.y` the keyless instance `aws_x.y`.
    pub fn instance(&self) -> Option<ResourceInstanceAddr> {
        let (resource, key) = self.resource.as_ref()?;
        Some(ResourceInstanceAddr {
            module: self.module_instance(),
            resource: resource.clone(),
            key: key.clone(),
        })
    }

    /// True if `addr` is inside what the pattern names: in the module instance (or any
    /// instance of a keyless step) or one of its descendants; an instance of the resource; or
    /// that instance.
    pub fn matches(&self, addr: &ResourceInstanceAddr) -> bool {
        let steps = &addr.module.0;
        if steps.len() < self.module.len()
            || !self
                .module
                .iter()
                .zip(steps)
                .all(|(p, a)| p.0 == a.0 && (p.1.is_none() || p.1 == a.1))
        {
            return false;
        }
        match &self.resource {
            None => true,
            Some((resource, key)) => {
                steps.len() == self.module.len()
                    && *resource == addr.resource
                    && (key.is_none() || *key == addr.key)
            }
        }
    }
}

impl fmt::Display for AddrPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.module_instance())?;
        if let Some((resource, key)) = &self.resource {
            if !self.module.is_empty() {
                f.write_str(".")?;
            }
            write!(f, "{resource}")?;
            if let Some(k) = key {
                write!(f, "{k}")?;
            }
        }
        Ok(())
    }
}

/// The order `terraform state list` prints instances in: shallower modules first, then module
/// steps by name and key; within a module data sources before managed resources, then by type,
/// name and key (no key first, numbers numerically and before strings).
pub fn terraform_order(a: &ResourceInstanceAddr, b: &ResourceInstanceAddr) -> Ordering {
    a.module
        .0
        .len()
        .cmp(&b.module.0.len())
        .then_with(|| a.module.0.cmp(&b.module.0))
        .then_with(|| (a.resource.mode != Mode::Data).cmp(&(b.resource.mode != Mode::Data)))
        .then_with(|| a.resource.type_name.cmp(&b.resource.type_name))
        .then_with(|| a.resource.name.cmp(&b.resource.name))
        .then_with(|| a.key.cmp(&b.key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> ResourceInstanceAddr {
        ResourceInstanceAddr::parse(s).unwrap()
    }

    fn pat(s: &str) -> AddrPattern {
        AddrPattern::parse(s).unwrap()
    }

    #[test]
    fn patterns_parse_and_print_back() {
        for s in [
            "module.vpc",
            "module.vpc[\"a\"].module.net[2]",
            "aws_subnet.private",
            "aws_subnet.private[0]",
            "module.vpc.aws_subnet.private[\"x.y\"]",
            "data.aws_region.current",
        ] {
            assert_eq!(pat(s).to_string(), s);
        }
        assert!(pat("module.vpc").is_module());
        assert_eq!(pat("aws_vpc.a").instance(), Some(addr("aws_vpc.a")));
        for bad in [
            "",
            "module.",
            "module.vpc.",
            "aws_vpc",
            "aws_vpc.a[",
            "aws_vpc.a.b",
        ] {
            let err = AddrPattern::parse(bad).unwrap_err();
            assert!(err.contains("is not a valid address"), "{bad}: {err}");
        }
    }

    #[test]
    fn modules_match_their_instances_and_descendants() {
        let all = [
            "aws_vpc.main",
            "module.vpc.aws_subnet.private[0]",
            "module.vpc.module.network.aws_route.r",
            "module.vpcx.aws_vpc.v",
            "module.app[\"a\"].aws_vpc.v",
            "module.app[\"b\"].aws_vpc.v",
        ];
        let hits = |p: &str| -> Vec<&str> {
            all.iter()
                .copied()
                .filter(|a| pat(p).matches(&addr(a)))
                .collect()
        };
        assert_eq!(
            hits("module.vpc"),
            [
                "module.vpc.aws_subnet.private[0]",
                "module.vpc.module.network.aws_route.r"
            ]
        );
        assert_eq!(
            hits("module.vpc.module.network"),
            ["module.vpc.module.network.aws_route.r"]
        );
        assert_eq!(
            hits("module.app"),
            ["module.app[\"a\"].aws_vpc.v", "module.app[\"b\"].aws_vpc.v"]
        );
        assert_eq!(hits("module.app[\"b\"]"), ["module.app[\"b\"].aws_vpc.v"]);
        assert_eq!(hits("module.app.aws_vpc.v").len(), 2);
        // A resource pattern names the resource in that module only.
        assert_eq!(hits("aws_vpc.v"), Vec::<&str>::new());
        assert_eq!(hits("aws_vpc.main"), ["aws_vpc.main"]);
    }

    #[test]
    fn resources_match_every_instance_and_instances_only_themselves() {
        let all = [
            "aws_subnet.private[0]",
            "aws_subnet.private[1]",
            "aws_subnet.private_b",
            "data.aws_subnet.private",
        ];
        let hits = |p: &str| -> Vec<&str> {
            all.iter()
                .copied()
                .filter(|a| pat(p).matches(&addr(a)))
                .collect()
        };
        assert_eq!(
            hits("aws_subnet.private"),
            ["aws_subnet.private[0]", "aws_subnet.private[1]"]
        );
        assert_eq!(hits("aws_subnet.private[1]"), ["aws_subnet.private[1]"]);
        assert_eq!(hits("aws_subnet.private[\"1\"]"), Vec::<&str>::new());
        assert_eq!(hits("data.aws_subnet.private"), ["data.aws_subnet.private"]);
    }

    #[test]
    fn instances_sort_like_terraform_state_list() {
        let mut addrs: Vec<ResourceInstanceAddr> = [
            "module.b.aws_vpc.v",
            "module.a.module.z.aws_vpc.v",
            "module.a[\"x\"].aws_vpc.v",
            "module.a[10].aws_vpc.v",
            "module.a[2].aws_vpc.v",
            "aws_subnet.s[\"b\"]",
            "aws_subnet.s[10]",
            "aws_subnet.s[9]",
            "aws_subnet.s",
            "data.aws_region.r",
            "aws_vpc.a",
        ]
        .iter()
        .map(|s| addr(s))
        .collect();
        addrs.sort_by(terraform_order);
        let printed: Vec<String> = addrs.iter().map(ToString::to_string).collect();
        assert_eq!(
            printed,
            [
                "data.aws_region.r",
                "aws_subnet.s",
                "aws_subnet.s[9]",
                "aws_subnet.s[10]",
                "aws_subnet.s[\"b\"]",
                "aws_vpc.a",
                "module.a[2].aws_vpc.v",
                "module.a[10].aws_vpc.v",
                "module.a[\"x\"].aws_vpc.v",
                "module.b.aws_vpc.v",
                "module.a.module.z.aws_vpc.v",
            ]
        );
    }
}
